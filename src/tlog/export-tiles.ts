import { VigilError } from "../errors.js";
import {
  bundlesForSize,
  encodeEntryBundle,
  entryBundlePath,
  equalBytes,
  HASH_SIZE,
  hashTilePath,
  leafHash,
  parseCheckpoint,
  parseNote,
  TILE_HEIGHT,
  TILE_WIDTH,
  TileFormatError,
  tilesForSize,
  type Checkpoint,
  type NodeId,
  type TileRef,
} from "../journal/index.js";
import type { LogEntry, LogReader, StoredCheckpoint } from "../storage/log-reader.js";
import { FULL_TILE_BYTES, StreamingRoot, subtreeRoot } from "./tile-hashes.js";
import { TileWriter } from "./tile-writer.js";

/**
 * Write the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles) of the log's
 * latest checkpoint into `dir`: entry bundles, hash tiles, then `checkpoint`.
 *
 * Reads one bundle (256 entries) or one tile at a time. Every hash written is
 * cross-checked (level 0 against the entries, level L+1 against the level-L
 * tiles, the root against the checkpoint) before the checkpoint is written
 * last, so a failed export never publishes a checkpoint over bad tiles.
 */
export async function exportTiles(
  reader: LogReader,
  dir: string,
  onProgress?: (done: number, total: number) => void,
): Promise<{ size: number; files: number }> {
  const stored = await reader.latestCheckpoint();
  if (stored === null) throw new VigilError("NOT_FOUND", "the log has no checkpoint to export as tiles");
  const size = stored.size;
  await checkStored(reader, stored);
  const tiles = tilesForSize(size);
  const bundles = bundlesForSize(size);
  const out = new TileWriter(dir, tiles.length + bundles.length + 1, onProgress);
  const root = new StreamingRoot();
  let parents = await exportBottom(reader, bundles, root, out);
  if (!equalBytes(root.root(), stored.root))
    corrupt(`the leaf hashes do not reproduce checkpoint ${stored.seq}'s root`);
  for (let level = 1; parents.length > 0; level++) {
    parents = await exportLevel(
      reader,
      level,
      tiles.filter((t) => t.level === level),
      parents,
      out,
    );
  }
  await out.write("checkpoint", Buffer.from(stored.note, "utf8"));
  return { size, files: out.count };
}

async function checkStored(reader: LogReader, stored: StoredCheckpoint): Promise<void> {
  let body: Checkpoint;
  try {
    body = parseCheckpoint(parseNote(stored.note).text);
  } catch (e) {
    corrupt(`checkpoint ${stored.seq}'s note does not parse`, e);
  }
  if (body.size !== stored.size || !equalBytes(body.root, stored.root)) {
    corrupt(`checkpoint ${stored.seq}'s note does not match its stored size and root`);
  }
  const logSize = await reader.size();
  if (logSize < stored.size)
    corrupt(`checkpoint ${stored.seq} covers ${stored.size} entries but the log has ${logSize}`);
}

/** Entry bundles and level-0 tiles, one bundle at a time; returns the level-1 hashes. */
async function exportBottom(
  reader: LogReader,
  bundles: readonly TileRef[],
  root: StreamingRoot,
  out: TileWriter,
): Promise<Buffer[]> {
  const parents: Buffer[] = [];
  for (const b of bundles) {
    const lo = b.index * TILE_WIDTH;
    const entries = await reader.readEntries(lo, lo + b.width);
    if (entries.length !== b.width || entries.some((e, i) => e.index !== lo + i)) {
      corrupt(`entries ${lo}..${lo + b.width - 1} could not be read in order`);
    }
    const tile = await readTile(reader, 0, lo, b.width);
    entries.forEach((e, i) => {
      const want = tile.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
      if (!equalBytes(leafHash(e.bytes), want))
        corrupt(`entry ${lo + i} does not match its stored leaf hash`);
    });
    await out.write(entryBundlePath(b.index, b.width), bundleOf(entries));
    await out.write(hashTilePath(0, b.index, b.width), tile);
    root.add(tile);
    if (tile.length === FULL_TILE_BYTES) parents.push(subtreeRoot(tile));
  }
  return parents;
}

/** The tiles of one level >= 1, checked against the hashes the level below implies. */
async function exportLevel(
  reader: LogReader,
  level: number,
  tiles: readonly TileRef[],
  expected: readonly Buffer[],
  out: TileWriter,
): Promise<Buffer[]> {
  const parents: Buffer[] = [];
  if (tiles.reduce((n, t) => n + t.width, 0) !== expected.length)
    corrupt(`level ${level} has the wrong number of hashes`);
  for (const t of tiles) {
    const lo = t.index * TILE_WIDTH;
    const tile = await readTile(reader, level * TILE_HEIGHT, lo, t.width);
    if (!equalBytes(tile, Buffer.concat(expected.slice(lo, lo + t.width)))) {
      corrupt(
        `stored tree nodes at level ${level * TILE_HEIGHT} from index ${lo} disagree with the level below`,
      );
    }
    await out.write(hashTilePath(level, t.index, t.width), tile);
    if (tile.length === FULL_TILE_BYTES) parents.push(subtreeRoot(tile));
  }
  return parents;
}

/** Stored nodes [lo, lo + width) of one tree level, concatenated: the bytes of a hash tile. */
async function readTile(reader: LogReader, treeLevel: number, lo: number, width: number): Promise<Buffer> {
  const ids: NodeId[] = Array.from({ length: width }, (_, i) => ({ level: treeLevel, index: lo + i }));
  const hashes = await reader.readNodes(ids);
  if (hashes.length !== width || hashes.some((h) => h.length !== HASH_SIZE)) {
    corrupt(`tree nodes at level ${treeLevel} from index ${lo} are malformed`);
  }
  return Buffer.concat(hashes);
}

function corrupt(message: string, cause?: unknown): never {
  throw new VigilError("STORAGE_CORRUPT", `tile export: ${message}`, { cause });
}

/** Records are capped at MAX_ENTRY_SIZE when written, so a longer one here is damage. */
function bundleOf(entries: readonly LogEntry[]): Buffer {
  try {
    return encodeEntryBundle(entries.map((e) => e.bytes));
  } catch (e) {
    if (!(e instanceof TileFormatError)) throw e;
    return corrupt(`entry ${entries[0]?.index ?? 0}.. cannot be bundled`, e);
  }
}
