import { recordTime } from "../audit/record-time.js";
import type { LogReader } from "../storage/log-reader.js";

/**
 * What diagnostics may say about a record: never its labels, names or other
 * metadata values, which can be sensitive.
 */
export interface RecentRecord {
  readonly leaf: number;
  readonly type: string | null;
  /** The record's time (`at ?? addedAt`), or null when it has none. */
  readonly time: string | null;
  /** The artifact digest the record commits to (sha256:<hex>), if any. */
  readonly digest: string | null;
}

const TYPE = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The last `n` journal records, summarised. */
export async function recentRecords(log: LogReader, n: number): Promise<RecentRecord[]> {
  const size = await log.size();
  const entries = await log.readEntries(Math.max(0, size - n), size);
  return entries.map((e) => summarise(e.index, e.bytes));
}

function summarise(leaf: number, bytes: Buffer): RecentRecord {
  let r: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(bytes.toString("utf8")) as unknown;
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      r = parsed as Record<string, unknown>;
  } catch {
    // A damaged entry is summarised as unknown; `vigil verify` names it.
  }
  return {
    leaf,
    type: typeof r.type === "string" && TYPE.test(r.type) ? r.type : null,
    time: recordTime(r)?.toISOString() ?? null,
    digest: typeof r.digest === "string" && DIGEST.test(r.digest) ? r.digest : null,
  };
}
