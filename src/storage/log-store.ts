import type { EncodedRecord, JournalRecord } from "../journal/index.js";
import type { IndexOp } from "./index-ops.js";
import type { LogReader, StoredCheckpoint } from "./log-reader.js";

/** Contents small enough to live inside the database, committed with their record. */
export interface InlineBlob {
  readonly digest: Buffer;
  readonly data: Buffer;
}

/** A reference to contents already made durable in the blob store (large files). */
export interface FileBlobRef {
  readonly digest: Buffer;
  readonly size: number;
}

export interface AppendItem {
  readonly encoded: EncodedRecord;
  readonly record: JournalRecord;
  /**
   * The item's index writes when the caller already knows them (same result
   * as the projector, without recomputing hashes); else the projector runs.
   */
  readonly ops?: (index: number) => readonly IndexOp[];
  readonly inline?: InlineBlob;
  readonly file?: FileBlobRef;
  /** Blob row for `inline`/`file` when not the item's own leaf (recovery re-stores an artifact's row). */
  readonly blobId?: number;
  /** Remove this blob row (retention expiry) in the same transaction as the record. */
  readonly dropContents?: number;
}

/** Computes the index writes for one record at its assigned leaf index. */
export type Projector = (record: JournalRecord, index: number, bytes: Buffer) => readonly IndexOp[];

export interface AppendResult {
  readonly first: number;
  readonly size: number;
}

export interface NewCheckpoint {
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
  readonly createdAt: string;
  /** Defaults to the latest checkpoint's segment (1 for the first). */
  readonly segment?: number;
}

/** The write side of the journal: atomic, durable appends and the anchor chain. */
export interface LogStore extends LogReader {
  /** Appends every item, its blob and its index writes in one durable transaction. */
  append(items: readonly AppendItem[], project: Projector): Promise<AppendResult>;
  /** The current root hash (null for an empty log), from the stored peaks. */
  root(size?: number): Promise<Buffer | null>;
  addCheckpoint(cp: NewCheckpoint): Promise<StoredCheckpoint>;
  listCheckpoints(): Promise<StoredCheckpoint[]>;
  getCheckpoint(seq: number): Promise<StoredCheckpoint | null>;
  close(): Promise<void>;
}
