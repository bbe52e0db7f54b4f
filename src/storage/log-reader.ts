import type { NodeId } from "../journal/index.js";

/** One journal entry as stored: its index, canonical record bytes and leaf hash. */
export interface LogEntry {
  readonly index: number;
  readonly bytes: Buffer;
  readonly leafHash: Buffer;
}

/** A signed checkpoint (an "anchor") as stored. */
export interface StoredCheckpoint {
  /** Position in the anchor chain, 1-based. */
  readonly seq: number;
  readonly size: number;
  readonly root: Buffer;
  /** The complete C2SP signed note. */
  readonly note: string;
  readonly createdAt: string;
  /** Chain segment: 1, then +1 for each new chain started after an unrecoverable break. */
  readonly segment: number;
}

/**
 * The read-only view of a log: all that tile export, proofs, replicas and
 * verification need. Every log store adapter implements it.
 */
export interface LogReader {
  /** Number of entries in the log (committed). */
  size(): Promise<number>;
  /** Entries [start, end), in order; end is clamped to size(). */
  readEntries(start: number, end: number): Promise<LogEntry[]>;
  /** Stored node hashes (level 0 = leaf hashes), in the order asked; throws if one is missing. */
  readNodes(ids: readonly NodeId[]): Promise<Buffer[]>;
  latestCheckpoint(): Promise<StoredCheckpoint | null>;
}
