import { equalBytes, nodeHash, rangeNodes } from "../journal/index.js";
import type { Finding } from "./report.js";

/** Stored nodes of one level with index in [from, to), in index order. */
export type LevelReader = (level: number, from: number, to: number) => Iterable<[number, Buffer]>;

export interface RangeTree {
  readonly findings: Finding[];
  /** Stored nodes (level >= 1) recomputed inside the range. */
  readonly nodes: number;
  /** Hashes of rangeNodes({lo, hi}): the whole range's subtree(s). */
  readonly peaks: Buffer[];
  /** For each anchor size s with lo < s <= hi: hashes of rangeNodes({lo, s}). */
  readonly anchorPeaks: { size: number; hashes: Buffer[] }[];
}

const MAX_FINDINGS = 1000;

/**
 * Recomputes every perfect subtree inside [lo, hi) from its leaf hashes and
 * compares each with the stored node. `lo` must be a multiple of a power of
 * two at least as large as hi - lo, so the range's subtrees are the tree's.
 */
export function checkRangeTree(
  lo: number,
  leaves: readonly Buffer[],
  read: LevelReader,
  anchorSizes: readonly number[],
): RangeTree {
  const hi = lo + leaves.length;
  const levels: Buffer[][] = [leaves as Buffer[]];
  const findings: Finding[] = [];
  let nodes = 0;
  for (let level = 1; ; level++) {
    const from = Math.ceil(lo / 2 ** level);
    const to = Math.floor(hi / 2 ** level);
    if (to <= from) break;
    const below = levels[level - 1] as Buffer[];
    const offset = from * 2 - Math.ceil(lo / 2 ** (level - 1));
    const computed = Array.from({ length: to - from }, (_, j) =>
      nodeHash(below[offset + 2 * j] as Buffer, below[offset + 2 * j + 1] as Buffer),
    );
    levels.push(computed);
    nodes += computed.length;
    compare(level, from, computed, read(level, from, to), findings);
  }
  const pick = (r: { lo: number; hi: number }) =>
    rangeNodes(r).map((n) => levels[n.level]?.[n.index - Math.ceil(lo / 2 ** n.level)] as Buffer);
  const anchorPeaks = anchorSizes
    .filter((s) => s > lo && s <= hi)
    .map((size) => ({ size, hashes: pick({ lo, hi: size }) }));
  return { findings, nodes, peaks: hi > lo ? pick({ lo, hi }) : [], anchorPeaks };
}

function compare(
  level: number,
  from: number,
  computed: readonly Buffer[],
  stored: Iterable<[number, Buffer]>,
  findings: Finding[],
): void {
  const add = (index: number, problem: string) => {
    if (findings.length < MAX_FINDINGS)
      findings.push({ kind: "node", id: `node ${level}/${index}`, problem });
  };
  let expected = from;
  for (const [index, hash] of stored) {
    for (; expected < index; expected++) add(expected, "stored node is missing");
    if (!equalBytes(hash, computed[index - from] as Buffer))
      add(index, "stored node hash differs from the recomputed one");
    expected = index + 1;
  }
  for (; expected < from + computed.length; expected++) add(expected, "stored node is missing");
}
