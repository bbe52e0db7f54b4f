import { encodeRecord, sha256, type EncodedRecord } from "../../journal/index.js";
import { evidenceAdded, metaHashFromCanonical, type EvidenceAddedRecord } from "./evidence-record.js";
import type { EvidenceMeta } from "./metadata.js";

/** Everything an artifact's commit needs that is pure computation: done off the writer's thread. */
export interface PreparedEvidence {
  readonly record: EvidenceAddedRecord;
  readonly encoded: EncodedRecord;
  readonly metaHash: Buffer;
}

export function prepareEvidence(
  digest: Buffer,
  size: number,
  meta: EvidenceMeta,
  addedAt: Date,
): PreparedEvidence {
  const record = evidenceAdded(digest, size, meta, addedAt);
  const encoded = encodeRecord(record);
  return { record, encoded, metaHash: metaHashFromCanonical(encoded.bytes, record.addedAt) };
}

/** Contents hashed and their record prepared, for small (inline) contents. */
export function prepareInline(
  data: Buffer,
  meta: EvidenceMeta,
  addedAt: Date,
): PreparedEvidence & { digest: Buffer } {
  const digest = sha256(data);
  return { digest, ...prepareEvidence(digest, data.length, meta, addedAt) };
}
