import type { JournalRecord } from "../journal/index.js";
import { VigilError } from "../errors.js";
import { projectEvidence } from "../domains/evidence/evidence-record.js";
import { projectLifecycle } from "../domains/evidence/lifecycle-records.js";
import { projectTokens } from "../domains/access/token-records.js";
import type { IndexOp } from "../storage/index-ops.js";
import type { Projector } from "../storage/log-store.js";

/** Every domain's projection, in one place; replay applies them in journal order. */
const PROJECTORS: readonly Projector[] = [projectEvidence, projectLifecycle, projectTokens];

export const projectAll: Projector = (
  record: JournalRecord,
  index: number,
  bytes: Buffer,
): readonly IndexOp[] => PROJECTORS.flatMap((p) => p(record, index, bytes));

/**
 * Replay parses stored records without re-canonicalising them: leaf hashes
 * and signed anchors prove the bytes, `verify` checks them, and replay must
 * be fast. Anything that is not a record object still fails loudly.
 */
export function decodeStored(bytes: Buffer): JournalRecord {
  const r = JSON.parse(bytes.toString("utf8")) as unknown;
  if (typeof r !== "object" || r === null || typeof (r as JournalRecord).type !== "string") {
    throw new VigilError(
      "STORAGE_CORRUPT",
      "a journal entry is not a record (run: vigil verify --mode full)",
    );
  }
  return r as JournalRecord;
}
