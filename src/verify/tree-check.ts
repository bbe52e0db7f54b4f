import { appendLeaves, EMPTY_FRONTIER, equalBytes, frontierRoot, type Frontier } from "../journal/index.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { Finding } from "./report.js";

/** What the tree check needs from the store: leaf hashes in order and stored node lookups. */
export interface TreeSource {
  iterateLeafHashes(start?: number): IterableIterator<[number, Buffer]>;
  storedNode(level: number, index: number): Buffer | undefined;
  storedNodeCount(): number;
}

const CHUNK = 65536;

/**
 * Recomputes the tree from the stored leaf hashes: every stored node must
 * equal its recomputed value, no extra nodes may exist, and every anchor's
 * root must equal the root recomputed at its size.
 */
export function checkTree(src: TreeSource, anchors: readonly StoredCheckpoint[], onProgress?: (n: number) => void): { findings: Finding[]; leaves: number; nodes: number } {
  const findings: Finding[] = [];
  const bySize = new Map<number, StoredCheckpoint[]>();
  for (const a of anchors) bySize.set(a.size, [...(bySize.get(a.size) ?? []), a]);
  let frontier: Frontier = EMPTY_FRONTIER;
  let nodes = 0;
  let chunk: Buffer[] = [];
  const flush = (): void => {
    const r = appendLeaves(frontier, chunk);
    for (const n of r.nodes) {
      nodes++;
      const stored = src.storedNode(n.level, n.index);
      if (stored === undefined || !equalBytes(stored, n.hash)) {
        if (findings.length < 1000) findings.push({ kind: "node", id: `node ${n.level}/${n.index}`, problem: stored === undefined ? "stored node is missing" : "stored node hash differs from the recomputed one" });
      }
    }
    frontier = r.frontier;
    chunk = [];
    for (const a of bySize.get(frontier.size) ?? []) {
      const root = frontierRoot(frontier);
      if (root === null || !equalBytes(root, a.root)) findings.push({ kind: "anchor", id: `anchor ${a.seq}`, problem: `root at size ${a.size} recomputed from the leaves differs from the anchor` });
    }
    onProgress?.(frontier.size);
  };
  for (const [, leaf] of src.iterateLeafHashes(0)) {
    chunk.push(leaf);
    if (chunk.length >= CHUNK || bySize.has(frontier.size + chunk.length)) flush();
  }
  if (chunk.length > 0) flush();
  const extra = src.storedNodeCount() - nodes;
  if (extra !== 0) findings.push({ kind: "node", id: "nodes", problem: `${Math.abs(extra)} ${extra > 0 ? "unexpected extra" : "missing"} stored nodes` });
  for (const a of anchors) if (a.size > frontier.size) findings.push({ kind: "anchor", id: `anchor ${a.seq}`, problem: `covers ${a.size} entries, journal has ${frontier.size}` });
  return { findings, leaves: frontier.size, nodes };
}
