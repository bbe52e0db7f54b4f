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

/**
 * Rotations already found per open log, and up to which size: the journal
 * only grows, so a later call scans only the new entries (a server checks
 * anchors often). A log that shrank (restore --to-anchor) is scanned afresh.
 */
const seen = new WeakMap<object, { size: number; rotations: IndexedRecord[] }>();

async function rotationsOf(log: LogReader): Promise<IndexedRecord[]> {
  const size = await log.size();
  const known = seen.get(log);
  const from = known !== undefined && known.size <= size ? known : { size: 0, rotations: [] };
  const rotations = [...from.rotations];
  for await (const r of recordsOfType(log, [KEY_ROTATED], from.size, size)) rotations.push(r);
  seen.set(log, { size, rotations });
  return rotations;
}

/** The locker's key history: rotations from the journal, anchored at a trusted key (see buildKeyChain). */
export async function loadKeyChain(log: LogReader, trusted: Verifier): Promise<KeyChain> {
  return buildKeyChain(await rotationsOf(log), trusted);
}
