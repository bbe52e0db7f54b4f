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
 * Full verification, using every core: blob shards and the record range are
 * checked in worker threads while this thread recomputes the tree from the
 * stored leaf hashes and checks every anchor.
 */
export async function verifyFull(deps: VerifyDeps, onProgress?: (stage: string, n: number) => void): Promise<VerifyOutcome> {
  const shards = Math.max(2, availableParallelism());
  const size = await deps.log.size();
  const fileShards = assignFiles(deps, shards);
  const workers = [
    ...fileShards.map((files, shard) => runWorker({ task: "blobs", db: deps.dbPath, shard, shards, files })),
    runWorker({ task: "entries", db: deps.dbPath, start: 0, end: size }),
  ];
  const anchors = await deps.log.listCheckpoints();
  const tree = checkTree(deps.log, anchors, (n) => onProgress?.("tree", n));
  const findings: Finding[] = [...tree.findings];
  const counts = emptyCounts();
  addCounts(counts, { nodes: tree.nodes, anchors: anchors.length });
  for (const checked of await verifyAnchors({ log: deps.log, verifier: deps.verifier, origin: deps.origin }, "all")) {
    for (const p of checked.problems) findings.push({ kind: "anchor", id: `anchor ${checked.seq}`, problem: p });
  }
  for (const d of deps.blobs.missingForEvidence()) findings.push({ kind: "artifact", id: `sha256:${d.toString("hex")}`, problem: "contents are not in the blob store" });
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
