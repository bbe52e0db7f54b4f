/**
 * Node (level, index) of the Merkle tree as one integer key, shared by the
 * adapters: level·2^47 + index. Level 0 (leaf hashes, in entries) maps to the
 * leaf index itself; every stored node (level ≥ 1) is ≥ 2^47.
 */
export const NODE_LEVEL_STRIDE = 2 ** 47;

export function nodeKey(level: number, index: number): number {
  return level * NODE_LEVEL_STRIDE + index;
}
