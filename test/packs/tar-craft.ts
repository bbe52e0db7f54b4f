/**
 * Hand-built tar streams for the hostile-pack suite: node-tar's Header and
 * Pax classes encode each 512-byte header (checksum included) exactly as
 * asked, names like "../x" and all, which `tar.create` would refuse or fix.
 */
import { gzipSync } from "node:zlib";
import { Header, Pax, type HeaderData } from "tar";

const BLOCK = 512;

export interface CraftEntry {
  readonly path: string;
  readonly type?: HeaderData["type"];
  readonly data?: Buffer;
  /** The size the header declares, when it should differ from the data's length. */
  readonly size?: number;
  readonly linkpath?: string;
  /** A pax extended header to put before this entry. */
  readonly pax?: HeaderData;
}

export function header(e: CraftEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  const h = new Header({
    path: e.path,
    type: e.type ?? "File",
    size: e.size ?? e.data?.length ?? 0,
    mode: 0o644,
    mtime: new Date(0),
    linkpath: e.linkpath,
  });
  h.encode(block, 0);
  return block;
}

function padded(data: Buffer): Buffer {
  const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
  return Buffer.concat([data, Buffer.alloc(pad)]);
}

/** An uncompressed tar stream of the entries, ending with the two zero blocks. */
export function tarBytes(entries: readonly CraftEntry[], end = true): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    if (e.pax !== undefined) parts.push(new Pax({ ...e.pax, mtime: new Date(0) }).encode());
    parts.push(header(e), padded(e.data ?? Buffer.alloc(0)));
  }
  if (end) parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

export function tarGz(entries: readonly CraftEntry[]): Buffer {
  return gzipSync(tarBytes(entries), { level: 9 });
}

/** Every file of a pack directory as crafted entries (so a hostile member can be added to a real pack). */
export function entriesOf(files: ReadonlyMap<string, Buffer>): CraftEntry[] {
  return [...files].map(([path, data]) => ({ path, data }));
}
