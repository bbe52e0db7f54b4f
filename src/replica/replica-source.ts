import type { Readable } from "node:stream";
import type { LogEntry, StoredCheckpoint } from "../storage/log-reader.js";

/** Who the source is, and the settings a new follower copies from it. */
export interface SourceIdentity {
  /** Checkpoint origin (the key name). */
  readonly origin: string;
  /** The verifier key its checkpoints must verify with (name+hexid+base64). */
  readonly verifierKey: string;
  readonly inlineLimit: number;
  readonly retentionDays: Readonly<Record<string, number | null>>;
}

/** A contents row of the source: id is the leaf index of the record that owns it. */
export interface ContentRef {
  readonly digest: Buffer;
  readonly size: number;
}

/**
 * The read-only view of a log that a follower needs. Nothing here writes to
 * the source, and the follower trusts none of it: records are rehashed,
 * checkpoints are verified with the pinned key and consistency proofs, and
 * contents are rehashed against their digest. Implementations: a locker
 * directory opened read-only (LockerSource); an HTTP client of `vigil serve`
 * comes with the HTTP server.
 */
export interface ReplicaSource {
  /** Where it is, for messages (a directory now, a URL later). */
  readonly location: string;
  identity(): Promise<SourceIdentity>;
  /** Every checkpoint, in chain order. */
  checkpoints(): Promise<StoredCheckpoint[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
  /** Entries [lo, hi), in order. */
  readEntries(lo: number, hi: number): Promise<LogEntry[]>;
  /** RFC 6962 consistency proof between tree sizes m and n, built from the source's nodes. */
  consistencyProof(m: number, n: number): Promise<Uint8Array[]>;
  /** The contents rows with these ids, where the source has them. */
  contentRefs(ids: readonly number[]): Promise<Map<number, ContentRef>>;
  /** Contents by digest, streamed. Rejects NOT_FOUND / STORAGE_CORRUPT when the source lacks them. */
  openContents(digest: Buffer): Promise<Readable>;
  close(): Promise<void>;
}
