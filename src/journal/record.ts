import { equalBytes, leafHash } from "./hash.js";
import { canonicalBytes } from "./jcs.js";
import { MAX_ENTRY_SIZE } from "./tiles.js";

/**
 * A journal record: a JSON object with a dotted `type` and a schema version
 * `v`; its bytes are the RFC 8785 canonical form and its leaf hash is
 * SHA-256(0x00 || bytes). The journal knows nothing else about records.
 */
export interface JournalRecord {
  readonly type: string;
  readonly v: number;
  readonly [field: string]: unknown;
}

export class RecordFormatError extends Error {
  override name = "RecordFormatError";
}

/** Records must fit a tlog-tiles entry bundle (uint16 length prefix). */
export const MAX_RECORD_SIZE = MAX_ENTRY_SIZE;

export interface EncodedRecord {
  readonly bytes: Buffer;
  readonly leafHash: Buffer;
}

export function encodeRecord(record: JournalRecord): EncodedRecord {
  assertRecordShape(record);
  const bytes = canonicalBytes(record);
  if (bytes.length > MAX_RECORD_SIZE) {
    throw new RecordFormatError(`record of ${bytes.length} bytes exceeds the ${MAX_RECORD_SIZE}-byte limit`);
  }
  return { bytes, leafHash: leafHash(bytes) };
}

/** Parse stored bytes back into a record, insisting they are exactly canonical. */
export function decodeRecord(bytes: Uint8Array): JournalRecord {
  if (bytes.length > MAX_RECORD_SIZE) {
    throw new RecordFormatError(`record of ${bytes.length} bytes exceeds the ${MAX_RECORD_SIZE}-byte limit`);
  }
  let value: unknown;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  try {
    value = JSON.parse(text);
  } catch {
    throw new RecordFormatError("record is not JSON");
  }
  assertRecordShape(value);
  // Compare bytes, not text: toString("utf8") turns invalid UTF-8 into U+FFFD, which re-encodes differently.
  if (!equalBytes(canonicalBytes(value), bytes)) {
    throw new RecordFormatError("record is not in RFC 8785 canonical form");
  }
  return value;
}

function assertRecordShape(value: unknown): asserts value is JournalRecord {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new RecordFormatError("record must be a JSON object");
  }
  const r = value as Record<string, unknown>;
  if (typeof r.type !== "string" || !/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/.test(r.type)) {
    throw new RecordFormatError("record type must be a dotted lowercase name such as evidence.added");
  }
  if (!Number.isSafeInteger(r.v) || (r.v as number) < 1)
    throw new RecordFormatError("record v must be a positive integer");
}
