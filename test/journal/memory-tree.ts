import {
  appendLeaves,
  EMPTY_FRONTIER,
  type Frontier,
  type NodeId,
  type NodeReader,
  type StoredNode,
} from "../../src/journal/index.js";

/**
 * An in-memory log: the leaf hashes at level 0 plus the stored nodes that
 * appendLeaves reports, behind the NodeReader port the proof builders use.
 */
export interface MemoryTree {
  readonly frontier: Frontier;
  readonly nodes: readonly StoredNode[];
  readonly read: NodeReader;
  /** Every id the builders asked for, in order: lets tests see the reads. */
  readonly requested: NodeId[];
}

export function memoryTree(leafHashes: readonly Uint8Array[]): MemoryTree {
  const { frontier, nodes } = appendLeaves(EMPTY_FRONTIER, leafHashes);
  const store = new Map<string, Uint8Array>();
  leafHashes.forEach((hash, index) => store.set(key({ level: 0, index }), hash));
  for (const n of nodes) store.set(key(n), n.hash);
  const requested: NodeId[] = [];
  const read: NodeReader = (ids) => {
    requested.push(...ids);
    // A builder that asks for a node the log never stored is a bug: fail loudly.
    return Promise.resolve(ids.map((id) => must(store.get(key(id)), id)));
  };
  return { frontier, nodes, read, requested };
}

function key(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

function must(hash: Uint8Array | undefined, id: NodeId): Uint8Array {
  if (hash === undefined) throw new Error(`node ${key(id)} was never stored`);
  return hash;
}
