import { equalBytes, leafHash } from "../journal/index.js";
import { VigilError } from "../errors.js";
import type { LogEntry, LogReader } from "../storage/log-reader.js";
import { recordDay } from "./record-time.js";

const SCAN_CHUNK = 4096;

/** Counts what a scan has yielded so far. */
export interface ScanTally {
  records: number;
}

/**
 * The export lines of one UTC day's records, in leaf order, a chunk of
 * lines per yielded buffer. Each line is
 * `{"leaf":N,"leafHash":"<hex>","record":<stored bytes>}`: the record's
 * stored canonical bytes verbatim, so SHA-256(0x00 || record) is leafHash
 * (RFC 6962 s2.1), and the keys are in RFC 8785 order, so the whole line is
 * canonical JSON too.
 *
 * An index-free scan of the whole journal, in chunks, up to its size at the
 * start. Records are committed in time order (addedAt is assigned at
 * commit), so a binary search could skip to the day, but records carrying a
 * producer-supplied `at` need not be in order: a time index (a projection)
 * is the later fix if exports of large journals become slow.
 */
export async function* dayLines(
  log: LogReader,
  day: string,
  tally: ScanTally = { records: 0 },
): AsyncGenerator<Buffer> {
  const size = await log.size();
  for (let lo = 0; lo < size; lo += SCAN_CHUNK) {
    const lines: Buffer[] = [];
    for (const e of await log.readEntries(lo, Math.min(lo + SCAN_CHUNK, size))) {
      if (entryDay(e) !== day) continue;
      lines.push(exportLine(e));
      tally.records++;
    }
    if (lines.length > 0) yield Buffer.concat(lines);
  }
}

/** The UTC day of a journal entry's record, or null when it has no time. */
function entryDay(e: LogEntry): string | null {
  // An export must carry only records that match their leaf hashes.
  if (!equalBytes(leafHash(e.bytes), e.leafHash))
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `journal entry ${e.index} does not match its leaf hash (run: vigil verify --mode full)`,
    );
  let record: unknown;
  try {
    record = JSON.parse(e.bytes.toString("utf8"));
  } catch {
    record = null;
  }
  if (typeof record !== "object" || record === null || Array.isArray(record))
    throw new VigilError("STORAGE_CORRUPT", `journal entry ${e.index} is not a JSON record`);
  return recordDay(record as Record<string, unknown>);
}

function exportLine(e: LogEntry): Buffer {
  return Buffer.concat([
    Buffer.from(`{"leaf":${e.index},"leafHash":"${e.leafHash.toString("hex")}","record":`),
    e.bytes,
    Buffer.from("}\n"),
  ]);
}
