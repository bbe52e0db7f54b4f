import type { StoredToken } from "../index-ops.js";
import type { TokenIndex } from "../token-index.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";

interface Row {
  id: string;
  secret_hash: Buffer;
  name: string;
  role: string;
  tenant: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
  record_leaf: number;
}

const COLUMNS = "id, secret_hash, name, role, tenant, created_at, expires_at, revoked_at, record_leaf";

export class SqliteTokenIndex implements TokenIndex {
  private readonly one: SqliteStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.one = db.prepare(`SELECT ${COLUMNS} FROM tokens WHERE id = ?`);
  }

  getToken(id: string): Promise<StoredToken | null> {
    const r = this.one.get(id) as Row | undefined;
    return Promise.resolve(r === undefined ? null : toToken(r));
  }

  listTokens(tenant?: string): Promise<StoredToken[]> {
    const rows = (
      tenant === undefined
        ? this.db.prepare(`SELECT ${COLUMNS} FROM tokens ORDER BY record_leaf`).all()
        : this.db.prepare(`SELECT ${COLUMNS} FROM tokens WHERE tenant = ? ORDER BY record_leaf`).all(tenant)
    ) as Row[];
    return Promise.resolve(rows.map(toToken));
  }
}

function toToken(r: Row): StoredToken {
  return {
    id: r.id,
    secretHash: r.secret_hash,
    name: r.name,
    role: r.role,
    tenant: r.tenant,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    revokedAt: r.revoked_at,
    recordLeaf: r.record_leaf,
  };
}
