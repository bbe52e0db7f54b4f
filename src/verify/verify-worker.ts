/**
 * Worker thread for full verification. It keeps one read-only connection and
 * serves tasks: a range of leaves (records rehashed, inline contents rehashed,
 * index rows matched, the subtrees inside the range recomputed against the
 * stored nodes), or a list of file blobs to rehash.
 */
import { parentPort, workerData } from "node:worker_threads";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { nodeKey } from "../storage/sqlite/schema.js";
import { checkFileBlob } from "./blob-check.js";
import { checkRangeTree } from "./range-tree.js";
import { RangeRows } from "./range-rows.js";
import { emptyCounts, type Finding, type VerifyCounts } from "./report.js";

export type VerifyTask =
  | {
      readonly kind: "range";
      readonly lo: number;
      readonly hi: number;
      readonly anchorSizes: readonly number[];
    }
  | {
      readonly kind: "files";
      readonly files: readonly [path: string, digestHex: string, size: number, state: string | null][];
    };

export interface VerifyTaskResult {
  readonly findings: Finding[];
  readonly expected: Finding[];
  readonly counts: VerifyCounts;
  readonly lo?: number;
  readonly peaks?: Buffer[];
  readonly anchorPeaks?: { size: number; hashes: Buffer[] }[];
}

const db = openDatabase((workerData as { db: string }).db, { create: false, readonly: true });
const levelStmt = db.prepare("SELECT id, hash FROM nodes WHERE id >= ? AND id < ? ORDER BY id").raw();
const rows = new RangeRows(db);
const buf = Buffer.allocUnsafe(4 << 20);

function runRange(t: Extract<VerifyTask, { kind: "range" }>): VerifyTaskResult {
  const scan = rows.check(t.lo, t.hi);
  const read = (level: number, from: number, to: number) =>
    (levelStmt.all(nodeKey(level, from), nodeKey(level, to)) as [number, Buffer][]).map(
      ([id, h]): [number, Buffer] => [id - nodeKey(level, 0), h],
    );
  const tree = checkRangeTree(t.lo, scan.leaves, read, t.anchorSizes);
  scan.counts.nodes += tree.nodes;
  return {
    findings: [...scan.findings, ...tree.findings],
    expected: scan.expected,
    counts: scan.counts,
    lo: t.lo,
    peaks: tree.peaks,
    anchorPeaks: tree.anchorPeaks,
  };
}

function runFiles(t: Extract<VerifyTask, { kind: "files" }>): VerifyTaskResult {
  const findings: Finding[] = [];
  const expected: Finding[] = [];
  const counts = emptyCounts();
  for (const [path, hex, size, state] of t.files) {
    const f = checkFileBlob(path, Buffer.from(hex, "hex"), size, buf);
    if (state === "corrupted")
      expected.push({
        kind: "artifact",
        id: `sha256:${hex}`,
        problem: `marked corrupted${f ? `: ${f.problem}` : ""}`,
      });
    else if (f) findings.push(f);
    counts.artifacts++;
    counts.bytes += size;
  }
  return { findings, expected, counts };
}

parentPort?.on("message", (t: VerifyTask) => {
  try {
    parentPort?.postMessage({ ok: true, result: t.kind === "range" ? runRange(t) : runFiles(t) });
  } catch (e) {
    parentPort?.postMessage({ ok: false, error: (e as Error).message });
  }
});
