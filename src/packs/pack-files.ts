import { createHash, type Hash } from "node:crypto";
import { VigilError } from "../errors.js";
import { isContentsPath, isIndexPath, memberName, type MemberKind } from "./pack-layout.js";

/**
 * A pack read into memory, whatever it came from (a .tar.gz or a directory):
 * each file's size and SHA-256, and the bytes of every file but contents
 * (contents are only hashed, so a large pack is never held whole).
 */
export interface PackFile {
  readonly size: number;
  readonly sha256: Buffer;
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
    const hash: Hash = createHash("sha256");
    const parts: Buffer[] | null = isContentsPath(name) ? null : [];
    let got = 0;
    return {
      write: (chunk) => {
        got += chunk.length;
        if (got > size) throw this.bad(name, `more than the declared ${size} bytes`);
        hash.update(chunk);
        parts?.push(chunk);
      },
      end: () => {
        if (got !== size) throw this.bad(name, `truncated: ${got} of ${size} bytes`);
        this.files.set(name, { size, sha256: hash.digest(), bytes: parts && Buffer.concat(parts) });
        this.open = null;
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
