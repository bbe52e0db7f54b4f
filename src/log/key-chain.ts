import { buildKeyChain, KEY_ROTATED, type KeyChain, type Verifier } from "../journal/index.js";
import type { LogReader } from "../storage/log-reader.js";
import { recordsOfType, type IndexedRecord } from "./scan-records.js";

/** Every key.rotated record below leaf `size`, in journal order. */
export async function readRotations(
  log: Pick<LogReader, "readEntries">,
  size: number,
): Promise<IndexedRecord[]> {
  const out: IndexedRecord[] = [];
  for await (const r of recordsOfType(log, [KEY_ROTATED], 0, size)) out.push(r);
  return out;
}

/** The locker's key history: rotations from the journal, ending in the key in use. */
export async function loadKeyChain(log: LogReader, current: Verifier): Promise<KeyChain> {
  return buildKeyChain(await readRotations(log, await log.size()), current);
}
