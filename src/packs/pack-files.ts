import { createHash, hash, type Hash } from "node:crypto";
import { VigilError } from "../errors.js";
import { isContentsPath, isIndexPath, memberName, type MemberKind } from "./pack-layout.js";

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
  private readonly seen = new Set<string>();
  private total = 0;
  private meta = 0;
  private open: string | null = null;

  constructor(
    readonly limits: PackLimits,
    readonly where: string,
  ) {}

  /** Starts a member; returns a sink for a file, null for a directory. */
  member(raw: string, kind: MemberKind, declaredSize: number): MemberSink | null {
    const name = memberName(raw, kind, this.where);
    if (this.seen.has(name)) throw this.bad(raw, "duplicate member name");
    if (this.seen.size >= this.limits.maxMembers)
      throw malformed(this.where, `more than ${this.limits.maxMembers} members`);
    this.seen.add(name);
    if (kind === "directory") return null;
    this.reserve(raw, name, declaredSize);
    return this.sink(name, declaredSize);
  }

  private reserve(raw: string, name: string, size: number): void {
    const contents = isContentsPath(name);
    const cap = contents
      ? this.limits.maxContentsBytes
      : isIndexPath(name)
        ? this.limits.maxIndexBytes
        : this.limits.maxMetaBytes;
    if (!Number.isSafeInteger(size) || size < 0) throw this.bad(raw, "invalid size");
    if (size > cap) throw this.bad(raw, `${size} bytes exceeds the ${cap}-byte limit for this member`);
    this.total += size;
    if (this.total > this.limits.maxTotalBytes)
      throw malformed(this.where, `members exceed the ${this.limits.maxTotalBytes}-byte total limit`);
    if (!contents) this.meta += size;
    if (this.meta > this.limits.maxTotalMetaBytes)
      throw malformed(this.where, `metadata exceeds the ${this.limits.maxTotalMetaBytes}-byte limit`);
  }

  private sink(name: string, size: number): MemberSink {
    if (this.open !== null) throw malformed(this.where, `member ${this.open} is incomplete`);
    this.open = name;
    const keep = !isContentsPath(name);
    let h: Hash | null = null;
    let parts: Buffer[] = [];
    let got = 0;
    const done = (sha256: string, bytes: Buffer | null) => {
      this.files.set(name, { size, sha256, bytes });
      this.open = null;
    };
    return {
      write: (chunk) => {
        got += chunk.length;
        if (got > size) throw this.bad(name, `more than the declared ${size} bytes`);
        (h ??= createHash("sha256")).update(chunk);
        // Copied: the reader reuses or keeps alive the buffers it hands out.
        if (keep) parts.push(Buffer.from(chunk));
      },
      end: () => {
        if (got !== size) throw this.bad(name, `truncated: ${got} of ${size} bytes`);
        done((h ?? createHash("sha256")).digest("hex"), keep ? Buffer.concat(parts) : null);
        parts = [];
      },
      whole: (data) => {
        if (got !== 0 || data.length !== size)
          throw this.bad(name, `${got + data.length} bytes, not the declared ${size}`);
        done(hash("sha256", data), keep ? Buffer.from(data) : null);
      },
    };
  }

  /** The members read; fails if one was left incomplete. */
  finish(): PackFiles {
    if (this.open !== null) throw malformed(this.where, `member ${this.open} is incomplete`);
    return this.files;
  }

  private bad(raw: string, why: string): VigilError {
    return malformed(this.where, `member ${JSON.stringify(raw)}: ${why}`);
  }
}
