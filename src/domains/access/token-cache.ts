import type { StoredToken } from "../../storage/index-ops.js";
import type { TokenIndex } from "../../storage/token-index.js";

/** How long a looked-up token row is reused: a revocation is honoured within this. */
export const TOKEN_CACHE_TTL_MS = 1000;

/**
 * The token projection with a short-lived cache of found rows, for the
 * server's per-request authentication (one SQLite lookup per token per
 * TTL instead of per request). Only rows are cached, never a verdict: the
 * secret, revocation and expiry are still checked on every request, against
 * a row at most `ttlMs` old. Unknown ids are not cached, so a new token works
 * at once; `forget(id)` drops a row at once (an in-process revoke).
 */
export class TokenCache implements TokenIndex {
  private readonly rows = new Map<string, { row: StoredToken; until: number }>();

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

  listTokens(tenant?: string): Promise<StoredToken[]> {
    return this.inner.listTokens(tenant);
  }

  forget(id: string): void {
    this.rows.delete(id);
  }
}
