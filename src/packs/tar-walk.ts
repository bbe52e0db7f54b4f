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

interface Data {
  readonly at: "data";
  readonly size: number;
  left: number;
  pad: number;
  readonly sink: WalkSink | null;
}
interface Meta {
  readonly at: "meta";
  readonly type: "x" | "L";
  left: number;
  pad: number;
  readonly parts: Buffer[];
}
/** After the first zero block: `zeros` bytes of zeros seen since. */
interface End {
  readonly at: "end";
  zeros: number;
}
type State = { readonly at: "header" } | Data | Meta | End;

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
  private state: State = { at: "header" };
  private pending: Buffer | null = null;
  private override: { path?: string; size?: number } = {};
  private offset = 0;

  constructor(private readonly handler: WalkHandler) {}

  write(chunk: Buffer): void {
    let buf = chunk;
    if (this.pending !== null) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = null;
    }
    let pos = 0;
    while (pos < buf.length) {
      const used = this.step(buf, pos);
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
    const s = this.state;
    if (s.at === "data" || s.at === "meta" || (s.at === "header" && this.pending !== null))
      throw new TarFormatError("truncated archive: the last member is incomplete");
    if (s.at !== "end" || s.zeros < BLOCK)
      throw new TarFormatError("truncated archive: no end-of-archive marker");
  }

  /** Consumes from buf at pos; 0 when a whole header block is needed and not there yet. */
  private step(buf: Buffer, pos: number): number {
    const s = this.state;
    if (s.at === "header") return buf.length - pos < BLOCK ? 0 : this.header(buf.subarray(pos, pos + BLOCK));
    if (s.at === "data") return this.data(buf, pos, s);
    if (s.at === "meta") return this.meta(buf, pos, s);
    return this.trailer(buf, pos, s);
  }

  private header(block: Buffer): number {
    const h = tarHeader(block, this.offset);
    if (h === null) this.state = { at: "end", zeros: 0 };
    else if (h.type === "x" || h.type === "L") this.startMeta(h, h.type);
    else this.startMember(h);
    return BLOCK;
  }

  private startMember(h: TarHeader): void {
    const kind = KINDS[h.type];
    if (kind === undefined) {
      const type = TYPE_NAMES[h.type] ?? `type ${JSON.stringify(h.type)}`;
      throw new TarFormatError(`member ${JSON.stringify(h.name)}: unsupported ${type} entry`);
    }
    const name = this.override.path ?? h.name;
    const size = this.override.size ?? h.size;
    this.override = {};
    const sink = this.handler.member(name, kind, kind === "file" ? size : 0);
    if (kind !== "file" && size !== 0)
      throw new TarFormatError(`member ${JSON.stringify(name)}: a ${kind} with data`);
    if (size > 0) this.state = { at: "data", size, left: size, pad: padding(size), sink };
    else sink?.whole(Buffer.alloc(0));
  }

  private startMeta(h: TarHeader, type: "x" | "L"): void {
    if (h.size > MAX_EXTENDED_HEADER)
      throw new TarFormatError(`${TYPE_NAMES[type]} header larger than ${MAX_EXTENDED_HEADER} bytes`);
    this.state = { at: "meta", type, left: h.size, pad: padding(h.size), parts: [] };
    if (h.size === 0) this.applyMeta(this.state);
  }

  private data(buf: Buffer, pos: number, s: Data): number {
    const n = Math.min(buf.length - pos, s.left > 0 ? s.left : s.pad);
    if (s.left > 0) {
      const part = buf.subarray(pos, pos + n);
      const whole = n === s.size;
      if (whole) s.sink?.whole(part);
      else s.sink?.write(part);
      s.left -= n;
      if (s.left === 0 && !whole) s.sink?.end();
    } else s.pad -= n;
    if (s.left === 0 && s.pad === 0) this.state = { at: "header" };
    return n;
  }

  private meta(buf: Buffer, pos: number, s: Meta): number {
    const n = Math.min(buf.length - pos, s.left > 0 ? s.left : s.pad);
    if (s.left > 0) {
      s.parts.push(Buffer.from(buf.subarray(pos, pos + n)));
      s.left -= n;
    } else s.pad -= n;
    if (s.left === 0 && s.pad === 0) this.applyMeta(s);
    return n;
  }

  private applyMeta(s: Meta): void {
    const text = Buffer.concat(s.parts);
    if (s.type === "L") this.override.path = text.toString("utf8").replace(/\0+$/, "");
    else this.override = { ...this.override, ...parsePax(text) };
    this.state = { at: "header" };
  }

  /** A second zero block, then only zeros (GNU tar pads the archive to its record size). */
  private trailer(buf: Buffer, pos: number, s: End): number {
    for (let i = pos; i < buf.length; i++) {
      if (buf[i] === 0) continue;
      if (s.zeros + (i - pos) < BLOCK)
        throw new TarFormatError("not a valid tar archive (a lone zero block inside the archive)");
      throw new TarFormatError("data after the end-of-archive marker");
    }
    s.zeros += buf.length - pos;
    return buf.length - pos;
  }
}
