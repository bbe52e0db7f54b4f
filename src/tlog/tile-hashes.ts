import {
  appendLeaves,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierRoot,
  HASH_SIZE,
  nodeHash,
  TILE_WIDTH,
  type Frontier,
} from "../journal/index.js";

/**
 * Hash arithmetic over C2SP tlog-tiles hash tiles (https://c2sp.org/tlog-tiles):
 * a tile is the concatenation of up to 256 SHA-256 hashes, and every hash in a
 * level-(L+1) tile is the MTH of one full level-L tile (tile height 8).
 */
export const FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/** The hashes of a tile as 32-byte views (no copy). */
export function splitHashes(tile: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at + HASH_SIZE <= tile.length; at += HASH_SIZE)
    out.push(tile.subarray(at, at + HASH_SIZE));
  return out;
}

/** MTH of a full tile: a perfect tree of 256 hashes, combined pairwise (RFC 6962 s2.1). */
export function subtreeRoot(tile: Buffer): Buffer {
  if (tile.length !== FULL_TILE_BYTES) throw new RangeError(`a full tile is ${FULL_TILE_BYTES} bytes`);
  let row = splitHashes(tile);
  while (row.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < row.length; i += 2) next.push(nodeHash(row[i] as Buffer, row[i + 1] as Buffer));
    row = next;
  }
  return row[0] as Buffer;
}

/** The level-(L+1) tiles implied by the level-L tiles: one hash per full tile, 256 to a tile. */
export function parentTiles(tiles: readonly Buffer[]): Buffer[] {
  const hashes = tiles.filter((t) => t.length === FULL_TILE_BYTES).map(subtreeRoot);
  const out: Buffer[] = [];
  for (let i = 0; i < hashes.length; i += TILE_WIDTH)
    out.push(Buffer.concat(hashes.slice(i, i + TILE_WIDTH)));
  return out;
}

/**
 * The RFC 6962 root of a tree fed one level-0 tile at a time, left to right.
 * Keeps only the frontier (log2 of the size hashes), not the leaves.
 */
export class StreamingRoot {
  private frontier: Frontier = EMPTY_FRONTIER;

  add(tile: Buffer): void {
    this.frontier = appendLeaves(this.frontier, splitHashes(tile)).frontier;
  }

  get size(): number {
    return this.frontier.size;
  }

  /** The MTH of every leaf added; the hash of the empty string for none (RFC 6962 s2.1). */
  root(): Buffer {
    const r = frontierRoot(this.frontier);
    return r === null ? EMPTY_ROOT : Buffer.from(r);
  }
}
