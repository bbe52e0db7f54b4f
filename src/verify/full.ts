import { availableParallelism } from "node:os";
import type { Verifier } from "../journal/index.js";
import { verifyAnchors } from "../log/anchors.js";
import type { EvidenceIndex } from "../storage/evidence-index.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { SqliteBlobStore } from "../storage/sqlite/sqlite-blob-store.js";
import type { SqliteLogStore } from "../storage/sqlite/sqlite-log-store.js";
import { addCounts, emptyCounts, type Finding, type VerifyCounts } from "./report.js";
import { checkTreeTop } from "./tree-top.js";
import { runTasks } from "./verify-pool.js";
import type { VerifyTask } from "./verify-worker.js";

export interface VerifyDeps {
  readonly dbPath: string;
  readonly log: SqliteLogStore;
  readonly blobs: SqliteBlobStore;
  readonly evidence: EvidenceIndex;
  readonly verifier: Verifier;
  readonly origin: string;
}

export interface VerifyOutcome {
  readonly findings: Finding[];
  readonly expected: Finding[];
  readonly counts: VerifyCounts;
}

/** Leaf ranges are aligned powers of two, at least this long, about 4 per worker. */
const MIN_RANGE = 4096;

/**
 * Full verification on every core. Workers take tasks from one queue: file
 * blobs (largest first), then aligned leaf ranges, each checking records,
 * inline contents, index rows and every subtree inside the range. This
 * thread joins the range roots into the upper tree, checks every anchor's
 * root against it, and every anchor's signature and consistency link.
 */
export async function verifyFull(
  deps: VerifyDeps,
  onProgress?: (stage: string, n: number) => void,
): Promise<VerifyOutcome> {
  const workers = Math.max(2, availableParallelism());
  deps.log.checkpointWal();
  const size = await deps.log.size();
  const anchors = await deps.log.listCheckpoints();
  const rangeSize = chooseRange(size, workers);
  const tasks: VerifyTask[] = [...fileTasks(deps), ...rangeTasks(size, rangeSize, anchors)];
  const results = await runTasks(deps.dbPath, workers, tasks, (n) => onProgress?.("tasks", n));
  const findings: Finding[] = results.flatMap((r) => r.findings);
  const counts = emptyCounts();
  for (const r of results) addCounts(counts, r.counts);
  const top = checkTreeTop(deps.log, size, rangeSize, results, anchors);
  findings.push(...top.findings);
  addCounts(counts, { nodes: top.nodes, anchors: anchors.length });
  for (const checked of await verifyAnchors(
    { log: deps.log, verifier: deps.verifier, origin: deps.origin },
    "all",
  )) {
    for (const p of checked.problems)
      findings.push({ kind: "anchor", id: `anchor ${checked.seq}`, problem: p });
  }
  return { findings, expected: results.flatMap((r) => r.expected), counts };
}

function chooseRange(size: number, workers: number): number {
  let r = MIN_RANGE;
  while (r * 2 * workers * 4 <= size) r *= 2;
  return r;
}

function rangeTasks(size: number, rangeSize: number, anchors: readonly StoredCheckpoint[]): VerifyTask[] {
  const tasks: VerifyTask[] = [];
  for (let lo = 0; lo < size; lo += rangeSize) {
    const hi = Math.min(size, lo + rangeSize);
    tasks.push({
      kind: "range",
      lo,
      hi,
      anchorSizes: anchors.map((a) => a.size).filter((s) => s > lo && s <= hi),
    });
  }
  return tasks;
}

/** One task per file blob, largest first, so the queue balances the cores. */
function fileTasks(deps: VerifyDeps): VerifyTask[] {
  return deps.blobs
    .fileBlobs()
    .sort((a, b) => b.size - a.size)
    .map((f) => ({
      kind: "files",
      files: [[deps.blobs.files.pathOf(f.digest), f.digest.toString("hex"), f.size, f.state]],
    }));
}
