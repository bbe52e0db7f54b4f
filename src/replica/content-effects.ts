import type { JournalRecord } from "../journal/index.js";
import type { LifecycleType } from "../domains/evidence/lifecycle-records.js";

/** What a record does to contents rows other than its own: the follower does the same. */
export interface ContentEffect {
  /** Retention expiry: the artifact's contents row (and, once unreferenced, its file) goes. */
  readonly drop?: { readonly leaf: number; readonly digest: Buffer };
  /** Recovery: the artifact's contents row is stored again, under its evidence leaf. */
  readonly restore?: number;
}

const EXPIRED: LifecycleType = "evidence.expired";
const RECOVERED: LifecycleType = "evidence.recovered";

/**
 * The evidence lifecycle's effects on contents (see domains/evidence/lifecycle.ts:
 * `expire` drops the row, `recordRecovery` re-stores it under the artifact's leaf).
 */
export function contentEffects(r: JournalRecord): ContentEffect {
  if (r.v !== 1 || typeof r.leaf !== "number" || !Number.isSafeInteger(r.leaf)) return {};
  if (r.type === RECOVERED) return { restore: r.leaf };
  if (r.type !== EXPIRED || typeof r.digest !== "string" || !/^sha256:[0-9a-f]{64}$/.test(r.digest))
    return {};
  return { drop: { leaf: r.leaf, digest: Buffer.from(r.digest.slice(7), "hex") } };
}
