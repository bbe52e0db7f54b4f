/**
 * C2SP tlog-tiles (https://c2sp.org/tlog-tiles) layout arithmetic: tile
 * paths, which tiles a tree size needs, and entry bundle encoding.
 */
export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 256;
/** tlog-tiles: entries in a bundle are prefixed by a big-endian uint16 length. */
export const MAX_ENTRY_SIZE = 0xffff;

export class TileFormatError extends Error {
  override name = "TileFormatError";
}

/** "N" encoding: 3-digit groups, every group but the last prefixed with "x" (1234067 -> x001/x234/067). */
export function encodeTileIndex(n: number): string {
  if (!Number.isSafeInteger(n) || n < 0) throw new TileFormatError(`invalid tile index ${n}`);
  const groups: string[] = [];
  let rest = n;
  do {
    groups.unshift(String(rest % 1000).padStart(3, "0"));
    rest = Math.floor(rest / 1000);
  } while (rest > 0);
  return groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join("/");
}

/** Path of a hash tile: tile/<L>/<N>[.p/<W>] (W is omitted for full tiles). */
export function hashTilePath(level: number, index: number, width: number): string {
  return `tile/${level}/${encodeTileIndex(index)}${partialSuffix(width)}`;
}

/** Path of an entry bundle: tile/entries/<N>[.p/<W>]. */
export function entryBundlePath(index: number, width: number): string {
  return `tile/entries/${encodeTileIndex(index)}${partialSuffix(width)}`;
}

function partialSuffix(width: number): string {
  if (!Number.isInteger(width) || width < 1 || width > TILE_WIDTH)
    throw new TileFormatError(`invalid tile width ${width}`);
  return width === TILE_WIDTH ? "" : `.p/${width}`;
}

export interface TileRef {
  readonly level: number;
  readonly index: number;
  /** Number of hashes (or entries) in the tile: 256 when full. */
  readonly width: number;
}

/** Every hash tile a client needs for a tree of `size` leaves, bottom level first. */
export function tilesForSize(size: number): TileRef[] {
  const out: TileRef[] = [];
  // Level L holds the hashes of level 8L nodes: floor(size / 256^L) of them.
  for (let level = 0; Math.floor(size / TILE_WIDTH ** level) > 0; level++) {
    const hashes = Math.floor(size / TILE_WIDTH ** level);
    for (let i = 0; i * TILE_WIDTH < hashes; i++) {
      out.push({ level, index: i, width: Math.min(TILE_WIDTH, hashes - i * TILE_WIDTH) });
    }
  }
  return out;
}

/** Entry bundles for a tree of `size` leaves. */
export function bundlesForSize(size: number): TileRef[] {
  const out: TileRef[] = [];
  for (let i = 0; i * TILE_WIDTH < size; i++) {
    out.push({ level: -1, index: i, width: Math.min(TILE_WIDTH, size - i * TILE_WIDTH) });
  }
  return out;
}

export function encodeEntryBundle(entries: readonly Uint8Array[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.length > MAX_ENTRY_SIZE)
      throw new TileFormatError(`entry of ${e.length} bytes exceeds ${MAX_ENTRY_SIZE}`);
    const len = Buffer.alloc(2);
    len.writeUInt16BE(e.length, 0);
    parts.push(len, Buffer.from(e.buffer, e.byteOffset, e.byteLength));
  }
  return Buffer.concat(parts);
}

export function decodeEntryBundle(bundle: Uint8Array): Buffer[] {
  const buf = Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  const out: Buffer[] = [];
  let at = 0;
  while (at < buf.length) {
    if (at + 2 > buf.length) throw new TileFormatError("entry bundle ends inside a length prefix");
    const len = buf.readUInt16BE(at);
    if (at + 2 + len > buf.length) throw new TileFormatError("entry bundle ends inside an entry");
    out.push(buf.subarray(at + 2, at + 2 + len));
    at += 2 + len;
  }
  return out;
}

/** tlog-tiles: `<L>` is a decimal between 0 and 63. */
export const MAX_TILE_LEVEL = 63;

/** A resource named by a tlog-tiles path below the prefix: a hash tile or an entry bundle. */
export type TilePath =
  | { readonly kind: "hash"; readonly level: number; readonly index: number; readonly width: number }
  | { readonly kind: "entries"; readonly index: number; readonly width: number };

/** A decimal with no leading zeroes (tlog-tiles: `<L>` and `<W>`), or null. */
function decimal(text: string): number | null {
  return /^(0|[1-9][0-9]{0,2})$/.test(text) ? Number(text) : null;
}

/**
 * Parse `tile/<L>/<N>[.p/<W>]` or `tile/entries/<N>[.p/<W>]`
 * (https://c2sp.org/tlog-tiles, "Merkle Tree" and "Log entries"). Only the
 * canonical spelling is accepted (3-digit groups, `x` on all but the last, no
 * superfluous leading group, W in 1..255), so every resource has one path.
 */
export function parseTilePath(path: string): TilePath {
  const m = /^tile\/(entries|[0-9]+)\/((?:x[0-9]{3}\/)*[0-9]{3})(?:\.p\/([0-9]+))?$/.exec(path);
  if (m === null)
    throw new TileFormatError("not a tile path: tile/<L>/<N>[.p/<W>] or tile/entries/<N>[.p/<W>]");
  const [, levelText = "", indexText = "", widthText] = m;
  const index = Number(indexText.replaceAll("x", "").replaceAll("/", ""));
  if (!Number.isSafeInteger(index) || encodeTileIndex(index) !== indexText)
    throw new TileFormatError("tile index is not in canonical x-prefixed 3-digit groups");
  const width = widthText === undefined ? TILE_WIDTH : decimal(widthText);
  if (width === null || width < 1 || (widthText !== undefined && width >= TILE_WIDTH))
    throw new TileFormatError("partial tile width must be 1..255 with no leading zeroes");
  if (levelText === "entries") return { kind: "entries", index, width };
  const level = decimal(levelText);
  if (level === null || level > MAX_TILE_LEVEL)
    throw new TileFormatError(`tile level must be 0..${MAX_TILE_LEVEL} with no leading zeroes`);
  return { kind: "hash", level, index, width };
}
