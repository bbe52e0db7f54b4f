import type { StoredToken } from "../../storage/index-ops.js";
import type { TokenIndex } from "../../storage/token-index.js";
import type { ProvenTokens } from "./tokens.js";

/** How long a looked-up token row is reused: a revocation is honoured within this. */
export const TOKEN_CACHE_TTL_MS = 1000;

interface CachedRow {
  readonly row: StoredToken;
  readonly until: number;
}

/**
 * The token projection with a short-lived cache of found rows, for the
 * server's per-request authentication (one SQLite lookup per token per
 * TTL instead of per request). Only rows are cached, never a verdict:
 * revocation and expiry are still checked on every request, against a row
 * at most `ttlMs` old. Unknown ids are not cached, so a new token works at
 * once; `forget(id)` drops a row at once (an in-process revoke).
 *
 * The secret check is remembered with the row (ProvenTokens): a presented
 * token whose secret hashed to a cached row's secretHash is kept, in memory
 * only, for as long as that very row stays cached, so the next request with
 * it finds the row by one map lookup and hashes nothing. A wrong secret is
 * never a key (it never matched), and the lookup compares the V8-seeded
 * hash of the whole string, not a prefix an attacker could time.
 */
export class TokenCache implements TokenIndex, ProvenTokens {
  private readonly rows = new Map<string, CachedRow>();
  private readonly proven = new Map<string, CachedRow>();

  constructor(
    private readonly inner: TokenIndex,
    private readonly now: () => number = Date.now,
    private readonly ttlMs = TOKEN_CACHE_TTL_MS,
    private readonly maxRows = 10_000,
  ) {}

  async getToken(id: string): Promise<StoredToken | null> {
    const t = this.now();
    const hit = this.rows.get(id);
    if (hit !== undefined && hit.until > t) return hit.row;
    const row = await this.inner.getToken(id);
    if (row === null) this.rows.delete(id);
    else {
      if (this.rows.size >= this.maxRows) this.rows.clear();
      this.rows.set(id, { row, until: t + this.ttlMs });
    }
    return row;
  }

  provenRow(presented: string): StoredToken | null {
    const p = this.proven.get(presented);
    if (p === undefined) return null;
    if (p.until > this.now() && this.rows.get(p.row.id) === p) return p.row;
    this.proven.delete(presented);
    return null;
  }

  prove(presented: string, row: StoredToken): void {
    const cached = this.rows.get(row.id);
    if (cached === undefined || cached.row !== row) return;
    if (this.proven.size >= this.maxRows) this.proven.clear();
    this.proven.set(presented, cached);
  }

  listTokens(tenant?: string): Promise<StoredToken[]> {
    return this.inner.listTokens(tenant);
  }

  forget(id: string): void {
    this.rows.delete(id);
  }
}
