import { decodeRecord, RecordFormatError, type JournalRecord } from "../journal/index.js";
import type { LogReader } from "../storage/log-reader.js";

const SCAN_CHUNK = 4096;

export interface IndexedRecord {
  readonly index: number;
  readonly record: JournalRecord;
}

/**
 * The records of the given types in leaves [start, stop), in journal order.
 * Entries are matched on their canonical `"type":"…"` bytes before any parse,
 * so a scan of a large journal decodes only the records it returns.
 */
export async function* recordsOfType(
  log: Pick<LogReader, "readEntries">,
  types: readonly string[],
  start: number,
  stop: number,
): AsyncGenerator<IndexedRecord> {
  const markers = types.map((t) => Buffer.from(`"type":${JSON.stringify(t)}`));
  for (let lo = start; lo < stop; lo += SCAN_CHUNK) {
    for (const e of await log.readEntries(lo, Math.min(stop, lo + SCAN_CHUNK))) {
      if (!markers.some((m) => e.bytes.includes(m))) continue;
      const record = decodeOrNull(e.bytes);
      if (record !== null && types.includes(record.type)) yield { index: e.index, record };
    }
  }
}

function decodeOrNull(bytes: Buffer): JournalRecord | null {
  try {
    return decodeRecord(bytes);
  } catch (e) {
    if (e instanceof RecordFormatError) return null;
    throw e;
  }
}
