import { decodeRecord, type JournalRecord } from "../journal/index.js";
import { projectEvidence } from "../domains/evidence/evidence-record.js";
import type { IndexOp } from "../storage/index-ops.js";
import type { Projector } from "../storage/log-store.js";

/** Every domain's projection, in one place; replay applies them in journal order. */
const PROJECTORS: readonly Projector[] = [projectEvidence];

export const projectAll: Projector = (record: JournalRecord, index: number, bytes: Buffer): readonly IndexOp[] =>
  PROJECTORS.length === 1 ? (PROJECTORS[0] as Projector)(record, index, bytes) : PROJECTORS.flatMap((p) => p(record, index, bytes));

/** Replay trusts stored bytes to be records; verification checks they are canonical. */
export function decodeStored(bytes: Buffer): JournalRecord {
  return decodeRecord(bytes);
}
