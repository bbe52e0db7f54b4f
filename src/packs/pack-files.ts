import { createHash, hash, type Hash } from "node:crypto";
import { VigilError } from "../errors.js";
import type { BatchHasher } from "./batch-hasher.js";
import { parseEarly } from "./early-parse.js";
import { fileClass, memberName, type FileClass, type MemberKind } from "./pack-layout.js";

/**
 * A pack read into memory, whatever it came from (a .tar.gz or a directory):
 * each file's size and SHA-256, and the bytes of every file but contents
 * (contents are only hashed, so a large pack is never held whole).
 */
export interface PackFile {
  readonly size: number;
  /** SHA-256 of the file, lowercase hex (as SHA256SUMS and artifact ids spell it). */
  readonly sha256: string;
  /** The bytes, for metadata files; null for contents/<hex>. */
  readonly bytes: Buffer | null;
}

export type PackFiles = ReadonlyMap<string, PackFile>;

/** Caps that make a hostile pack fail fast instead of exhausting memory, disk or time. */
export interface PackLimits {
  /** Largest contents/<hex> member. */
  readonly maxContentsBytes: number;
  /** Largest per-artifact or small metadata member (records, proofs, checkpoint, key), held in memory. */
  readonly maxMetaBytes: number;
  /** Largest index member (manifest.json, SHA256SUMS, chain.json), which grows with the pack. */
  readonly maxIndexBytes: number;
  /** All metadata members together (what is held in memory). */
  readonly maxTotalMetaBytes: number;
  /** All members together, uncompressed. */
  readonly maxTotalBytes: number;
  readonly maxMembers: number;
  /** Uncompressed / compressed bytes, checked once `ratioGraceBytes` have been decompressed. */
  readonly maxRatio: number;
  readonly ratioGraceBytes: number;
}

const MiB = 1 << 20;
const GiB = 1 << 30;

export const DEFAULT_LIMITS: PackLimits = {
  maxContentsBytes: GiB,
  maxMetaBytes: MiB,
  maxIndexBytes: 256 * MiB,
  maxTotalMetaBytes: GiB,
  maxTotalBytes: 16 * GiB,
  maxMembers: 1_000_000,
  // Deflate cannot exceed ~1032:1; evidence (JSON, logs, PDFs) stays far below 250:1.
  maxRatio: 250,
  ratioGraceBytes: 16 * MiB,
};

export function malformed(where: string, why: string): VigilError {
  return new VigilError("INPUT_INVALID", `${where}: ${why}`);
}

/** Receives one member's bytes, enforcing its declared size and the caps. */
export interface MemberSink {
  write(chunk: Buffer): void;
  end(): void;
  /** write(data) then end(), hashed in one call: most members arrive in one piece. */
  whole(data: Buffer): void;
}

/** Collects members into PackFiles: names checked, duplicates refused, sizes capped. */
export class PackCollector {
  private readonly files = new Map<string, PackFile>();
  private readonly dirs = new Set<string>();
  private readonly reader = new MemberReader(this);
  private total = 0;
  private meta = 0;

  constructor(
    readonly limits: PackLimits,
    readonly where: string,
    /** Hashes members read whole on the helper thread; null: here. */
    readonly hasher: BatchHasher | null = null,
  ) {}

  /** Starts a member; returns a sink for a file, null for a directory. */
  member(raw: string, kind: MemberKind, declaredSize: number): MemberSink | null {
    // A name of the layout is taken as it is: none is absolute, has a ".." part or starts with "./",
    // so memberName would return it unchanged. Anything else goes through memberName's checks.
    let cls = kind === "file" ? fileClass(raw) : null;
    const name = cls !== null ? raw : memberName(raw, kind, this.where);
    // A file's name is checked against the others when it is added (add): one lookup, not two.
    if (this.dirs.has(name) || name === this.reader.name) throw this.bad(raw, "duplicate member name");
    if (this.files.size + this.dirs.size >= this.limits.maxMembers)
      throw malformed(this.where, `more than ${this.limits.maxMembers} members`);
    if (kind === "directory") {
      this.dirs.add(name);
      return null;
    }
    cls ??= fileClass(name) as FileClass;
    this.reserve(raw, cls, declaredSize);
    if (this.reader.name !== null) throw malformed(this.where, `member ${this.reader.name} is incomplete`);
    return this.reader.start(raw, name, declaredSize, cls !== "contents");
  }

  private reserve(raw: string, cls: FileClass, size: number): void {
    const cap =
      cls === "contents"
        ? this.limits.maxContentsBytes
        : cls === "index"
          ? this.limits.maxIndexBytes
          : this.limits.maxMetaBytes;
    if (!Number.isSafeInteger(size) || size < 0) throw this.bad(raw, "invalid size");
    if (size > cap) throw this.bad(raw, `${size} bytes exceeds the ${cap}-byte limit for this member`);
    this.total += size;
    if (this.total > this.limits.maxTotalBytes)
      throw malformed(this.where, `members exceed the ${this.limits.maxTotalBytes}-byte total limit`);
    if (cls !== "contents") this.meta += size;
    if (this.meta > this.limits.maxTotalMetaBytes)
      throw malformed(this.where, `metadata exceeds the ${this.limits.maxTotalMetaBytes}-byte limit`);
  }

  /** A member was read whole (MemberReader). */
  add(raw: string, name: string, file: PackFile): void {
    const before = this.files.size;
    this.files.set(name, file);
    if (this.files.size === before) throw this.bad(raw, "duplicate member name");
    if (file.bytes !== null) parseEarly(name, file.bytes, this.where);
  }

  /** The members read, once each has its hash; fails if one was left incomplete. */
  async finish(): Promise<PackFiles> {
    if (this.reader.name !== null) throw malformed(this.where, `member ${this.reader.name} is incomplete`);
    await this.hasher?.done();
    return this.files;
  }

  bad(raw: string, why: string): VigilError {
    return malformed(this.where, `member ${JSON.stringify(raw)}: ${why}`);
  }
}

/**
 * The sink of the one member being read, reused from member to member (a
 * pack has tens of thousands): checks the declared size, hashes, and keeps
 * the bytes of metadata files.
 */
class MemberReader implements MemberSink {
  /** The open member, null between members. */
  name: string | null = null;
  /** Its name as the archive or directory spells it. */
  private raw = "";
  private size = 0;
  private keep = false;
  private got = 0;
  private h: Hash | null = null;
  private parts: Buffer[] = [];

  constructor(private readonly collector: PackCollector) {}

  start(raw: string, name: string, size: number, keep: boolean): this {
    this.raw = raw;
    this.name = name;
    this.size = size;
    this.keep = keep;
    this.got = 0;
    this.h = null;
    return this;
  }

  write(chunk: Buffer): void {
    this.got += chunk.length;
    if (this.got > this.size) throw this.bad(`more than the declared ${this.size} bytes`);
    (this.h ??= createHash("sha256")).update(chunk);
    // Copied: the reader reuses or keeps alive the buffers it hands out.
    if (this.keep) this.parts.push(Buffer.from(chunk));
  }

  end(): void {
    if (this.got !== this.size) throw this.bad(`truncated: ${this.got} of ${this.size} bytes`);
    const sha256 = (this.h ?? createHash("sha256")).digest("hex");
    this.done(sha256, this.keep ? Buffer.concat(this.parts) : null);
    this.parts = [];
  }

  whole(data: Buffer): void {
    if (this.got !== 0 || data.length !== this.size)
      throw this.bad(`${this.got + data.length} bytes, not the declared ${this.size}`);
    const hasher = this.collector.hasher;
    const file = this.done(hasher === null ? hash("sha256", data) : "", this.keep ? Buffer.from(data) : null);
    hasher?.add(data, file);
  }

  private done(sha256: string, bytes: Buffer | null): { size: number; sha256: string; bytes: Buffer | null } {
    const file = { size: this.size, sha256, bytes };
    this.collector.add(this.raw, this.name as string, file);
    this.name = null;
    return file;
  }

  private bad(why: string): VigilError {
    return this.collector.bad(this.name as string, why);
  }
}
