import type { StoredToken } from "./index-ops.js";

/** Read side of the token projection (written by token.created / token.revoked records). */
export interface TokenIndex {
  getToken(id: string): Promise<StoredToken | null>;
  /** Every token, oldest first; only `tenant`'s when given. */
  listTokens(tenant?: string): Promise<StoredToken[]>;
}
