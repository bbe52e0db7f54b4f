import type { Readable } from "node:stream";
import { VigilError } from "../errors.js";

export interface BlobInfo {
  readonly digest: Buffer;
  readonly size: number;
  /** Inline contents live in the database; the rest are files. */
  readonly inline: boolean;
}

/** Contents written to a temporary file and hashed, not yet visible under their digest. */
export interface StagedFile {
  readonly digest: Buffer;
  readonly size: number;
  /** fsync and move into place under the digest; idempotent if already present. */
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** The content-addressed blob store port. */
export interface BlobStore {
  /** Streams `source` to a temporary file while hashing it; nothing is held whole in memory. */
  stage(source: Readable, prefix?: readonly Buffer[]): Promise<StagedFile>;
  /** Stages a regular file's contents (copied, fsync'd and hashed). */
  stageFile(path: string): Promise<StagedFile>;
  stat(digest: Buffer): Promise<BlobInfo | null>;
  /** Inline contents, or null when they are chunked/a file, expired or unknown (sync where the adapter can be). */
  inlineData(digest: Buffer): Buffer | null | Promise<Buffer | null>;
  /** A stream of the contents; rejects NOT_FOUND / STORAGE_CORRUPT when they are gone. */
  open(digest: Buffer): Promise<Readable>;
  /** Every blob the store knows, in the order they were added. */
  list(): AsyncIterable<BlobInfo>;
  /**
   * Frees what held a digest's large contents (its file, its chunk rows)
   * once no contents row refers to it any more (after an expiry committed);
   * nothing while one does. Safe to repeat.
   */
  release(digest: Buffer): Promise<void>;
  /**
   * Removes what interrupted writes left, when last written before `before`:
   * staging that was never committed, and large contents committed under a
   * digest no contents row refers to (an upload that died before its record,
   * a release that never ran). Returns one line per thing removed. A staging
   * run removed here can no longer be committed: its commit rejects.
   */
  removeLeftovers(before: Date): Promise<string[]>;
}

/** What a commit answers when removeLeftovers took its staging first (it stalled past the cut-off). */
export function removedAsLeftover(digest: Buffer): VigilError {
  return new VigilError(
    "CONFLICT",
    `staged contents sha256:${digest.toString("hex")} were removed as a leftover before they were committed; send them again`,
  );
}
