import {
  decodeEntryBundle,
  entryBundlePath,
  HASH_SIZE,
  hashTilePath,
  leafHash,
  MAX_ENTRY_SIZE,
  TileFormatError,
  type TileRef,
} from "../journal/index.js";
import type { TileSource } from "./tile-source.js";
import { FULL_TILE_BYTES } from "./tile-hashes.js";
import type { ProblemList } from "./tile-problems.js";

/** tlog-tiles: a bundle of W entries holds W uint16 length prefixes and at most W * 65535 entry bytes. */
function maxBundleBytes(width: number): number {
  return width * (2 + MAX_ENTRY_SIZE);
}

/** The hash tile (level, index, width), or null after recording why it is unusable. */
export async function readHashTile(
  files: TileSource,
  level: number,
  ref: TileRef,
  problems: ProblemList,
): Promise<Buffer | null> {
  const r = await files.read(hashTilePath(level, ref.index, ref.width), FULL_TILE_BYTES);
  if ("problem" in r) {
    problems.tile(level, ref.index, ref.width, r.problem);
    return null;
  }
  if (r.bytes.length !== ref.width * HASH_SIZE) {
    const want = `${ref.width * HASH_SIZE} (${ref.width} hashes)`;
    problems.tile(level, ref.index, ref.width, `is ${r.bytes.length} bytes, expected ${want}`);
    return null;
  }
  return r.bytes;
}

/**
 * The leaf hashes of an entry bundle, concatenated like a level-0 tile, or
 * null after recording why the bundle is unusable. Entries are hashed and
 * dropped: only their 32-byte leaf hashes outlive this call.
 */
export async function readBundleLeaves(
  files: TileSource,
  ref: TileRef,
  problems: ProblemList,
): Promise<Buffer | null> {
  const r = await files.read(entryBundlePath(ref.index, ref.width), maxBundleBytes(ref.width));
  if ("problem" in r) {
    problems.bundle(ref.index, ref.width, r.problem);
    return null;
  }
  let entries: Buffer[];
  try {
    entries = decodeEntryBundle(r.bytes);
  } catch (e) {
    if (!(e instanceof TileFormatError)) throw e;
    problems.bundle(ref.index, ref.width, e.message);
    return null;
  }
  if (entries.length !== ref.width) {
    problems.bundle(ref.index, ref.width, `holds ${entries.length} entries, expected ${ref.width}`);
    return null;
  }
  return Buffer.concat(entries.map(leafHash));
}
