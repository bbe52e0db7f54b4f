import type { MemberKind } from "./pack-layout.js";
import { BLOCK, parsePax, tarHeader, TarFormatError, type TarHeader } from "./tar-header.js";

export { TarFormatError } from "./tar-header.js";

/** Largest pax / GNU long-name header accepted. */
export const MAX_EXTENDED_HEADER = 64 * 1024;

/** Receives one member's bytes (see PackCollector). */
export interface WalkSink {
  write(chunk: Buffer): void;
  end(): void;
  /** The member's data in one piece: the fast path when it lies within one chunk. */
  whole(data: Buffer): void;
}

export interface WalkHandler {
  /** A member starts; a sink for a file's data, null for a directory. Throws to refuse it. */
  member(name: string, kind: MemberKind, size: number): WalkSink | null;
}

/** Where the walker is: at a header, inside a member's data or an extended header, or past the end. */
const HEADER = 0;
const DATA = 1;
const META = 2;
const END = 3;

const KINDS: Readonly<Record<string, MemberKind>> = {
  "0": "file",
  "\0": "file",
  "7": "file",
  "5": "directory",
  "2": "symlink",
  "1": "hardlink",
  "3": "device",
  "4": "device",
  "6": "fifo",
};

/** node-tar's names for the entry types refused, so messages read the same as they always did. */
const TYPE_NAMES: Readonly<Record<string, string>> = {
  x: "ExtendedHeader",
  L: "NextFileHasLongPath",
  g: "GlobalExtendedHeader",
  K: "NextFileHasLongLinkpath",
  V: "TapeVolumeHeader",
  M: "MultiVolume",
  S: "SparseFile",
  D: "GNUDumpDir",
  N: "OldGnuLongPath",
};

const padding = (size: number): number => (BLOCK - (size % BLOCK)) % BLOCK;

/**
 * A strict, streaming reader of the tar framing (POSIX ustar, pax `x`
 * headers for path and size, GNU `L` long names). Fed the decompressed
 * archive chunk by chunk, it checks every header's checksum, hands each
 * member to the handler and requires the end-of-archive marker followed by
 * nothing but zeros. Built for packs of tens of thousands of small members,
 * where a general parser's stream per entry costs far more than the hashing
 * (bench/pack.ts); it writes nothing anywhere.
 */
export class TarWalker {
  private at = HEADER;
  private pending: Buffer | null = null;
  private offset = 0;
  /** The member (DATA) or extended header (META) being read: its size, what is left of it and of its padding. */
  private size = 0;
  private left = 0;
  private pad = 0;
  private sink: WalkSink | null = null;
  private metaType: "x" | "L" = "x";
  private parts: Buffer[] = [];
  /** Past the first zero block (END): how many zero bytes followed it. */
  private zeros = 0;
  /** What pax and GNU long-name headers say of the next member. */
  private path: string | undefined = undefined;
  private paxSize: number | undefined = undefined;

  constructor(private readonly handler: WalkHandler) {}

  write(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    let pos = 0;
    while (pos < buf.length) {
      const used = this.step(buf, view, pos);
      if (used === 0) {
        this.pending = Buffer.from(buf.subarray(pos));
        return;
      }
      pos += used;
      this.offset += used;
    }
  }

  /** The archive is complete: throws when it stopped inside a member or before the marker. */
  end(): void {
    if (this.at === DATA || this.at === META || (this.at === HEADER && this.pending !== null))
      throw new TarFormatError("truncated archive: the last member is incomplete");
    if (this.at !== END || this.zeros < BLOCK)
      throw new TarFormatError("truncated archive: no end-of-archive marker");
  }

  /** Consumes from buf at pos; 0 when a whole header block is needed and not there yet. */
  private step(buf: Buffer, view: DataView, pos: number): number {
    if (this.at === HEADER) return buf.length - pos < BLOCK ? 0 : this.header(buf, view, pos);
    if (this.at === DATA) return this.data(buf, pos);
    if (this.at === META) return this.meta(buf, pos);
    return this.trailer(buf, pos);
  }

  private header(buf: Buffer, view: DataView, pos: number): number {
    const h = tarHeader(buf, view, pos, this.offset);
    if (h === null) {
      this.at = END;
      this.zeros = 0;
    } else if (h.type === "x" || h.type === "L") this.startMeta(h, h.type);
    else this.startMember(h);
    return BLOCK;
  }

  private startMember(h: TarHeader): void {
    const kind = KINDS[h.type];
    if (kind === undefined) {
      const type = TYPE_NAMES[h.type] ?? `type ${JSON.stringify(h.type)}`;
      throw new TarFormatError(`member ${JSON.stringify(h.name)}: unsupported ${type} entry`);
    }
    const name = this.path ?? h.name;
    const size = this.paxSize ?? h.size;
    this.path = undefined;
    this.paxSize = undefined;
    const sink = this.handler.member(name, kind, kind === "file" ? size : 0);
    if (kind !== "file" && size !== 0)
      throw new TarFormatError(`member ${JSON.stringify(name)}: a ${kind} with data`);
    if (size > 0) this.enter(DATA, size, sink);
    else sink?.whole(EMPTY);
  }

  private startMeta(h: TarHeader, type: "x" | "L"): void {
    if (h.size > MAX_EXTENDED_HEADER)
      throw new TarFormatError(`${TYPE_NAMES[type]} header larger than ${MAX_EXTENDED_HEADER} bytes`);
    this.metaType = type;
    this.parts = [];
    this.enter(META, h.size, null);
    if (h.size === 0) this.applyMeta();
  }

  private enter(at: typeof DATA | typeof META, size: number, sink: WalkSink | null): void {
    this.at = at;
    this.size = size;
    this.left = size;
    this.pad = padding(size);
    this.sink = sink;
  }

  private data(buf: Buffer, pos: number): number {
    const n = Math.min(buf.length - pos, this.left > 0 ? this.left : this.pad);
    if (this.left > 0) {
      const part = buf.subarray(pos, pos + n);
      const whole = n === this.size;
      if (whole) this.sink?.whole(part);
      else this.sink?.write(part);
      this.left -= n;
      if (this.left === 0 && !whole) this.sink?.end();
    } else this.pad -= n;
    if (this.left === 0 && this.pad === 0) this.at = HEADER;
    return n;
  }

  private meta(buf: Buffer, pos: number): number {
    const n = Math.min(buf.length - pos, this.left > 0 ? this.left : this.pad);
    if (this.left > 0) {
      this.parts.push(Buffer.from(buf.subarray(pos, pos + n)));
      this.left -= n;
    } else this.pad -= n;
    if (this.left === 0 && this.pad === 0) this.applyMeta();
    return n;
  }

  private applyMeta(): void {
    const text = Buffer.concat(this.parts);
    this.parts = [];
    if (this.metaType === "L") this.path = text.toString("utf8").replace(/\0+$/, "");
    else {
      const pax = parsePax(text);
      if (pax.path !== undefined) this.path = pax.path;
      if (pax.size !== undefined) this.paxSize = pax.size;
    }
    this.at = HEADER;
  }

  /** A second zero block, then only zeros (GNU tar pads the archive to its record size). */
  private trailer(buf: Buffer, pos: number): number {
    for (let i = pos; i < buf.length; i++) {
      if (buf[i] === 0) continue;
      if (this.zeros + (i - pos) < BLOCK)
        throw new TarFormatError("not a valid tar archive (a lone zero block inside the archive)");
      throw new TarFormatError("data after the end-of-archive marker");
    }
    this.zeros += buf.length - pos;
    return buf.length - pos;
  }
}

const EMPTY = Buffer.alloc(0);
