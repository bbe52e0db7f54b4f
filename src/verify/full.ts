import { availableParallelism } from "node:os";
import type { Verifier } from "../journal/index.js";
import { verifyAnchors } from "../log/anchors.js";
import type { SqliteBlobStore } from "../storage/sqlite/sqlite-blob-store.js";
import type { SqliteLogStore } from "../storage/sqlite/sqlite-log-store.js";
import { addCounts, emptyCounts, type Finding, type VerifyCounts } from "./report.js";
import { runWorker } from "./run-worker.js";
import { checkTree } from "./tree-check.js";

export interface VerifyDeps {
  readonly dbPath: string;
  readonly log: SqliteLogStore;
  readonly blobs: SqliteBlobStore;
  readonly verifier: Verifier;
  readonly origin: string;
}

export interface VerifyOutcome {
  readonly findings: Finding[];
  readonly counts: VerifyCounts;
}

/**
 * Full verification, using every core: each worker takes a range of leaves
 * (records, their inline contents and index rows) and a size-balanced share
 * of the file blobs, while this thread recomputes the tree from the stored
 * leaf hashes and checks every anchor.
 */
export async function verifyFull(
  deps: VerifyDeps,
  onProgress?: (stage: string, n: number) => void,
): Promise<VerifyOutcome> {
  const shards = Math.max(2, availableParallelism());
  deps.log.checkpointWal();
  const size = await deps.log.size();
  const fileShards = assignFiles(deps, shards);
  const per = Math.ceil(size / shards);
  const workers = fileShards.map((files, i) =>
    runWorker({ db: deps.dbPath, start: i * per, end: Math.min(size, (i + 1) * per), files }),
  );
  const anchors = await deps.log.listCheckpoints();
  onProgress?.("tree", size);
  const tree = checkTree(deps.log, anchors);
  const findings: Finding[] = [...tree.findings];
  const counts = emptyCounts();
  addCounts(counts, { nodes: tree.nodes, anchors: anchors.length });
  for (const checked of await verifyAnchors(
    { log: deps.log, verifier: deps.verifier, origin: deps.origin },
    "all",
  )) {
    for (const p of checked.problems)
      findings.push({ kind: "anchor", id: `anchor ${checked.seq}`, problem: p });
  }
  for (const r of await Promise.all(workers)) {
    findings.push(...r.findings);
    addCounts(counts, r.counts);
  }
  return { findings, counts };
}

/** Spread file blobs over shards, largest first onto the least-loaded shard. */
function assignFiles(deps: VerifyDeps, shards: number): [string, string, number][][] {
  const out: [string, string, number][][] = Array.from({ length: shards }, () => []);
  const load = new Array<number>(shards).fill(0);
  const files = deps.blobs.fileBlobs().sort((a, b) => b.size - a.size);
  for (const f of files) {
    const i = load.indexOf(Math.min(...load));
    out[i]?.push([deps.blobs.files.pathOf(f.digest), f.digest.toString("hex"), f.size]);
    load[i] = (load[i] ?? 0) + f.size + 4096;
  }
  return out;
}
