import { equalBytes, foldRight, nodeHash, rangeNodes } from "../journal/index.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { Finding } from "./report.js";
import type { VerifyTaskResult } from "./verify-worker.js";

/** What the top-of-tree check reads from the store. */
export interface TopSource {
  iterateLevel(level: number): IterableIterator<[number, Buffer]>;
  storedNodeCount(): number;
}

/**
 * Joins the roots of the full leaf ranges into the upper levels of the tree,
 * compares those with the stored nodes, checks that no stored node lies
 * outside the tree, and recomputes every anchor's root from range roots
 * (upper part) and the peaks its range reported (lower part).
 */
export function checkTreeTop(
  src: TopSource,
  size: number,
  rangeSize: number,
  results: readonly VerifyTaskResult[],
  anchors: readonly StoredCheckpoint[],
): { findings: Finding[]; nodes: number } {
  const k = Math.log2(rangeSize);
  const ranges = results
    .filter((r) => r.lo !== undefined)
    .sort((a, b) => (a.lo as number) - (b.lo as number));
  const levels = new Map<number, Buffer[]>([
    [k, ranges.filter((r) => (r.lo as number) + rangeSize <= size).map((r) => r.peaks?.[0] as Buffer)],
  ]);
  const findings: Finding[] = [];
  let nodes = 0;
  for (let level = k + 1; (levels.get(level - 1)?.length ?? 0) >= 2; level++) {
    const below = levels.get(level - 1) as Buffer[];
    const computed = Array.from({ length: below.length >> 1 }, (_, j) =>
      nodeHash(below[2 * j] as Buffer, below[2 * j + 1] as Buffer),
    );
    levels.set(level, computed);
    nodes += computed.length;
    for (const [index, hash] of src.iterateLevel(level)) {
      if (index < computed.length && !equalBytes(hash, computed[index] as Buffer))
        findings.push({
          kind: "node",
          id: `node ${level}/${index}`,
          problem: "stored node hash differs from the recomputed one",
        });
    }
  }
  const workerNodes = ranges.reduce((n, r) => n + r.counts.nodes, 0);
  const expected = Math.max(0, size - popcount(size));
  if (src.storedNodeCount() !== expected)
    findings.push({
      kind: "node",
      id: "nodes",
      problem: `${src.storedNodeCount()} stored nodes, a tree of ${size} leaves has ${expected}`,
    });
  if (workerNodes + nodes !== expected)
    findings.push({
      kind: "node",
      id: "nodes",
      problem: `recomputed ${workerNodes + nodes} nodes, expected ${expected}`,
    });
  for (const a of anchors) checkAnchorRoot(a, size, rangeSize, levels, ranges, findings);
  return { findings, nodes };
}

function checkAnchorRoot(
  a: StoredCheckpoint,
  size: number,
  rangeSize: number,
  levels: Map<number, Buffer[]>,
  ranges: readonly VerifyTaskResult[],
  findings: Finding[],
): void {
  const id = `anchor ${a.seq}`;
  if (a.size > size || a.size === 0)
    return void findings.push({
      kind: "anchor",
      id,
      problem: `covers ${a.size} entries, journal has ${size}`,
    });
  const cut = Math.floor(a.size / rangeSize) * rangeSize;
  const upper = cut === 0 ? [] : rangeNodes({ lo: 0, hi: cut }).map((n) => levels.get(n.level)?.[n.index]);
  const lower =
    cut === a.size
      ? []
      : (ranges.find((r) => r.lo === cut)?.anchorPeaks?.find((p) => p.size === a.size)?.hashes ?? [
          undefined,
        ]);
  const peaks = [...upper, ...lower];
  if (peaks.some((p) => p === undefined) || !equalBytes(foldRight(peaks as Buffer[]), a.root)) {
    findings.push({
      kind: "anchor",
      id,
      problem: `root at size ${a.size} recomputed from the leaves differs from the anchor`,
    });
  }
}

/** A tree of n leaves stores n - popcount(n) nodes above the leaves. */
function popcount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}
