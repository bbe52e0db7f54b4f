import { equalBytes, foldRight, nodeHash, peakNodes } from "../journal/index.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { Finding } from "./report.js";

/** What the tree check needs from the store: leaf hashes and stored nodes, each in order. */
export interface TreeSource {
  iterateLeafHashes(start?: number): IterableIterator<[number, Buffer]>;
  /** Stored nodes of one level (>= 1) in index order. */
  iterateLevel(level: number): IterableIterator<[number, Buffer]>;
  storedNodeCount(): number;
}

const MAX_FINDINGS = 1000;

/**
 * Recomputes the tree level by level from the stored leaf hashes: every
 * stored node must equal its recomputed value (compared in one sequential
 * scan per level), no node may be missing or extra, and every anchor's root
 * must equal the root recomputed at its size. Memory: 32 bytes per leaf.
 */
export function checkTree(
  src: TreeSource,
  anchors: readonly StoredCheckpoint[],
): { findings: Finding[]; leaves: number; nodes: number } {
  const findings: Finding[] = [];
  const levels: Buffer[][] = [[...src.iterateLeafHashes(0)].map(([, h]) => h)];
  let nodes = 0;
  for (let level = 1; (levels[level - 1]?.length ?? 0) >= 2; level++) {
    const below = levels[level - 1] as Buffer[];
    const computed: Buffer[] = new Array<Buffer>(below.length >> 1);
    for (let i = 0; i < computed.length; i++)
      computed[i] = nodeHash(below[2 * i] as Buffer, below[2 * i + 1] as Buffer);
    levels.push(computed);
    nodes += computed.length;
    compareLevel(src, level, computed, findings);
  }
  const extra = src.storedNodeCount() - nodes;
  if (extra > 0)
    findings.push({ kind: "node", id: "nodes", problem: `${extra} stored nodes lie outside the tree` });
  const size = levels[0]?.length ?? 0;
  for (const a of anchors) checkAnchorRoot(a, levels, size, findings);
  return { findings, leaves: size, nodes };
}

function compareLevel(
  src: TreeSource,
  level: number,
  computed: readonly Buffer[],
  findings: Finding[],
): void {
  let expected = 0;
  const report = (index: number, problem: string) => {
    if (findings.length < MAX_FINDINGS)
      findings.push({ kind: "node", id: `node ${level}/${index}`, problem });
  };
  for (const [index, hash] of src.iterateLevel(level)) {
    for (; expected < index && expected < computed.length; expected++)
      report(expected, "stored node is missing");
    if (index >= computed.length) continue;
    if (!equalBytes(hash, computed[index] as Buffer))
      report(index, "stored node hash differs from the recomputed one");
    expected = index + 1;
  }
  for (; expected < computed.length; expected++) report(expected, "stored node is missing");
}

function checkAnchorRoot(
  a: StoredCheckpoint,
  levels: readonly Buffer[][],
  size: number,
  findings: Finding[],
): void {
  if (a.size > size) {
    findings.push({
      kind: "anchor",
      id: `anchor ${a.seq}`,
      problem: `covers ${a.size} entries, journal has ${size}`,
    });
    return;
  }
  const peaks = peakNodes(a.size).map((p) => levels[p.level]?.[p.index] as Buffer);
  if (a.size === 0 || !equalBytes(foldRight(peaks), a.root)) {
    findings.push({
      kind: "anchor",
      id: `anchor ${a.seq}`,
      problem: `root at size ${a.size} recomputed from the leaves differs from the anchor`,
    });
  }
}
