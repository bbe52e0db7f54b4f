import { VigilError } from "../errors.js";
import {
  encodeEntryBundle,
  HASH_SIZE,
  parseTilePath,
  TILE_HEIGHT,
  TILE_WIDTH,
  TileFormatError,
  type NodeId,
  type TilePath,
} from "../journal/index.js";
import type { LogReader } from "../storage/log-reader.js";
import type { FileRead, TileSource } from "./tile-source.js";

/**
 * The live store as a tlog-tiles log (https://c2sp.org/tlog-tiles): the
 * latest signed checkpoint, and hash tiles and entry bundles read from the
 * stored nodes and entries on demand. Only resources inside the latest
 * checkpoint exist: records not yet anchored are not published, and every
 * partial tile served is one that some checkpoint's size needs.
 */
export class LogTiles implements TileSource {
  constructor(private readonly reader: LogReader) {}

  /** The latest signed note, or null before the first anchor. */
  async checkpoint(): Promise<string | null> {
    return (await this.reader.latestCheckpoint())?.note ?? null;
  }

  /** A tile's or bundle's bytes; null when the latest checkpoint does not cover it. */
  async resource(p: TilePath): Promise<Buffer | null> {
    const size = (await this.reader.latestCheckpoint())?.size ?? 0;
    const level = p.kind === "hash" ? p.level : 0;
    // The tile's last hash spans entries up to (index*256 + width) * 256^level.
    if ((p.index * TILE_WIDTH + p.width) * TILE_WIDTH ** level > size) return null;
    return p.kind === "hash" ? this.hashTile(p.level, p.index, p.width) : this.bundle(p.index, p.width);
  }

  async read(path: string, maxBytes: number): Promise<FileRead> {
    try {
      const bytes =
        path === "checkpoint" ? await this.checkpointBytes() : await this.resource(parseTilePath(path));
      if (bytes === null) return { problem: "missing" };
      return bytes.length > maxBytes ? { problem: `is more than the ${maxBytes} bytes allowed` } : { bytes };
    } catch (e) {
      if (e instanceof TileFormatError || e instanceof VigilError) return { problem: e.message };
      throw e;
    }
  }

  private async checkpointBytes(): Promise<Buffer | null> {
    const note = await this.checkpoint();
    return note === null ? null : Buffer.from(note, "utf8");
  }

  /** Tile level L holds the tree nodes of level 8L (level 0: the leaf hashes). */
  private async hashTile(level: number, index: number, width: number): Promise<Buffer> {
    const lo = index * TILE_WIDTH;
    const ids: NodeId[] = Array.from({ length: width }, (_, i) => ({
      level: level * TILE_HEIGHT,
      index: lo + i,
    }));
    const hashes = await this.reader.readNodes(ids);
    if (hashes.some((h) => h.length !== HASH_SIZE))
      throw new VigilError("STORAGE_CORRUPT", `tree nodes of tile ${level}/${index} are malformed`);
    return Buffer.concat(hashes);
  }

  private async bundle(index: number, width: number): Promise<Buffer> {
    const lo = index * TILE_WIDTH;
    const entries = await this.reader.readEntries(lo, lo + width);
    if (entries.length !== width || entries.some((e, i) => e.index !== lo + i))
      throw new VigilError("STORAGE_CORRUPT", `entries ${lo}..${lo + width - 1} could not be read in order`);
    try {
      return encodeEntryBundle(entries.map((e) => e.bytes));
    } catch (e) {
      // Records are capped at MAX_ENTRY_SIZE when written, so a longer one is damage.
      throw new VigilError("STORAGE_CORRUPT", `entries from ${lo} cannot be bundled`, { cause: e });
    }
  }
}
