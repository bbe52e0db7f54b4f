/**
 * Worker thread for verification: rehashes a shard of the blobs, or rechecks
 * a range of journal entries, over its own read-only database connection.
 */
import { parentPort, workerData } from "node:worker_threads";
import { decodeRecord, equalBytes, leafHash } from "../journal/index.js";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { checkFileBlob, checkInlineBlob } from "./blob-check.js";
import { emptyCounts, type Finding } from "./report.js";

export type WorkerTask =
  | { task: "blobs"; db: string; shard: number; shards: number; files: [path: string, digestHex: string, size: number][] }
  | { task: "entries"; db: string; start: number; end: number };

const MAX_FINDINGS = 1000;

function runBlobs(t: Extract<WorkerTask, { task: "blobs" }>) {
  const db = openDatabase(t.db, { create: false, readonly: true });
  const findings: Finding[] = [];
  const counts = emptyCounts();
  const rows = db.prepare("SELECT digest, size, data FROM blobs WHERE data IS NOT NULL").raw().iterate() as IterableIterator<[Buffer, number, Buffer]>;
  for (const [digest, size, data] of rows) {
    if ((digest[0] as number) % t.shards !== t.shard) continue;
    const f = checkInlineBlob(data, digest, size);
    if (f && findings.length < MAX_FINDINGS) findings.push(f);
    counts.artifacts++;
    counts.bytes += size;
  }
  db.close();
  const buf = Buffer.allocUnsafe(4 << 20);
  for (const [path, hex, size] of t.files) {
    const f = checkFileBlob(path, Buffer.from(hex, "hex"), size, buf);
    if (f && findings.length < MAX_FINDINGS) findings.push(f);
    counts.artifacts++;
    counts.bytes += size;
  }
  return { findings, counts };
}

function runEntries(t: Extract<WorkerTask, { task: "entries" }>) {
  const db = openDatabase(t.db, { create: false, readonly: true });
  const findings: Finding[] = [];
  const counts = emptyCounts();
  const rows = db.prepare("SELECT idx, leaf_hash, body FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx").raw().iterate(t.start, t.end) as IterableIterator<[number, Buffer, Buffer]>;
  let expected = t.start;
  for (const [idx, stored, body] of rows) {
    if (idx !== expected && findings.length < MAX_FINDINGS) findings.push({ kind: "leaf", id: `leaf ${expected}`, problem: `entries ${expected}..${idx - 1} are missing` });
    expected = idx + 1;
    counts.leaves++;
    if (!equalBytes(leafHash(body), stored) && findings.length < MAX_FINDINGS) {
      findings.push({ kind: "leaf", id: `leaf ${idx}`, problem: "stored leaf hash does not match SHA-256(0x00 || record)" });
    }
    try {
      decodeRecord(body);
    } catch (e) {
      if (findings.length < MAX_FINDINGS) findings.push({ kind: "record", id: `leaf ${idx}`, problem: (e as Error).message });
    }
  }
  if (expected < t.end) findings.push({ kind: "leaf", id: `leaf ${expected}`, problem: `entries ${expected}..${t.end - 1} are missing` });
  db.close();
  return { findings, counts };
}

const task = workerData as WorkerTask;
try {
  parentPort?.postMessage({ ok: true, ...(task.task === "blobs" ? runBlobs(task) : runEntries(task)) });
} catch (e) {
  parentPort?.postMessage({ ok: false, error: (e as Error).message });
}
