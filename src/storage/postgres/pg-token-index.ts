import type { StoredToken } from "../index-ops.js";
import type { TokenIndex } from "../token-index.js";
import { col, type PgDatabase, type Row } from "./pg-database.js";

const COLUMNS = "id, secret_hash, name, role, tenant, created_at, expires_at, revoked_at, record_leaf";

export class PgTokenIndex implements TokenIndex {
  constructor(private readonly db: PgDatabase) {}

  async getToken(id: string): Promise<StoredToken | null> {
    const r = await this.db.one("read token", `SELECT ${COLUMNS} FROM tokens WHERE id = $1`, [id]);
    return r === undefined ? null : toToken(r);
  }

  async listTokens(tenant?: string): Promise<StoredToken[]> {
    const rows = await this.db.rows(
      "list tokens",
      `SELECT ${COLUMNS} FROM tokens WHERE $1::text IS NULL OR tenant = $1 ORDER BY record_leaf`,
      [tenant ?? null],
    );
    return rows.map(toToken);
  }
}

function toToken(r: Row): StoredToken {
  return {
    id: col.str(r, "id"),
    secretHash: col.buf(r, "secret_hash"),
    name: col.str(r, "name"),
    role: col.str(r, "role"),
    tenant: col.str(r, "tenant"),
    createdAt: col.str(r, "created_at"),
    expiresAt: r.expires_at as string | null,
    revokedAt: r.revoked_at as string | null,
    recordLeaf: col.num(r, "record_leaf"),
  };
}
