import type { JournalRecord } from "../../journal/index.js";
import type { IndexOp, LifecycleFact } from "../../storage/index-ops.js";

/**
 * Lifecycle records: what happened to an artifact after it was added. Each
 * names the artifact by digest and by the leaf of its evidence.added record
 * (so the projection stays a pure function of the record).
 */
export const LIFECYCLE_TYPES = [
  "evidence.held",
  "evidence.released",
  "evidence.expired",
  "evidence.corrupted",
  "evidence.recovered",
] as const;
export type LifecycleType = (typeof LIFECYCLE_TYPES)[number];

export interface LifecycleRecord extends JournalRecord {
  readonly type: LifecycleType;
  readonly v: 1;
  readonly digest: string;
  /** Leaf index of the artifact's evidence.added record. */
  readonly leaf: number;
  readonly reason: string;
  readonly at: string;
  /** evidence.recovered: where the bytes came from (replica, backup). */
  readonly source?: string;
  /** evidence.expired: the retention class that expired. */
  readonly retention?: string;
}

export function lifecycleRecord(
  type: LifecycleType,
  target: { digest: string; leaf: number },
  reason: string,
  at: Date,
  extra: { source?: string; retention?: string } = {},
): LifecycleRecord {
  return { type, v: 1, digest: target.digest, leaf: target.leaf, reason, at: at.toISOString(), ...extra };
}

function isLifecycle(r: JournalRecord): r is LifecycleRecord {
  return (LIFECYCLE_TYPES as readonly string[]).includes(r.type) && r.v === 1 && typeof r.leaf === "number";
}

/** Holds and artifact states, projected from lifecycle records. */
export function projectLifecycle(record: JournalRecord, index: number): readonly IndexOp[] {
  if (!isLifecycle(record)) return [];
  const fact: LifecycleFact = {
    evidenceLeaf: record.leaf,
    reason: record.reason,
    at: record.at,
    recordLeaf: index,
  };
  switch (record.type) {
    case "evidence.held":
      return [{ op: "hold.put", fact }];
    case "evidence.released":
      return [{ op: "hold.delete", evidenceLeaf: record.leaf }];
    case "evidence.expired":
      return [{ op: "state.put", state: "expired", fact }];
    case "evidence.corrupted":
      return [{ op: "state.put", state: "corrupted", fact }];
    case "evidence.recovered":
      return [{ op: "state.delete", evidenceLeaf: record.leaf }];
  }
}
