import { nodeHash } from "./hash.js";
import { completedNodes, peakNodes, type NodeId } from "./ranges.js";
import { foldRight } from "./proof-build.js";

/**
 * The right edge of a tree: the hashes of its perfect-subtree peaks. Enough
 * to append leaves and compute the root without reading anything else.
 */
export interface Frontier {
  readonly size: number;
  /** Peak hashes, left (largest) to right, matching peakNodes(size). */
  readonly peaks: readonly Uint8Array[];
}

export interface StoredNode {
  readonly level: number;
  readonly index: number;
  readonly hash: Uint8Array;
}

export const EMPTY_FRONTIER: Frontier = { size: 0, peaks: [] };

/** Append leaf hashes; returns the new frontier and every stored node (level >= 1) completed. */
export function appendLeaves(
  frontier: Frontier,
  leaves: readonly Uint8Array[],
): { frontier: Frontier; nodes: StoredNode[] } {
  const peaks = [...frontier.peaks];
  const nodes: StoredNode[] = [];
  let size = frontier.size;
  for (const leaf of leaves) {
    let hash: Uint8Array = leaf;
    for (const id of completedNodes(size)) {
      const left = peaks.pop() as Uint8Array;
      hash = nodeHash(left, hash);
      nodes.push({ level: id.level, index: id.index, hash });
    }
    peaks.push(hash);
    size++;
  }
  return { frontier: { size, peaks }, nodes };
}

export function frontierRoot(frontier: Frontier): Uint8Array | null {
  return frontier.peaks.length === 0 ? null : foldRight(frontier.peaks);
}

/** The stored nodes to read to rebuild the frontier of a tree of `size` leaves. */
export function frontierNodes(size: number): NodeId[] {
  return peakNodes(size);
}
