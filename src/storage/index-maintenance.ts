import type { JournalRecord } from "../journal/index.js";
import type { Projector } from "./log-store.js";

export interface IndexStatus {
  readonly journalSize: number;
  readonly position: number;
  readonly lag: number;
  readonly rows: Readonly<Record<string, number>>;
}

export interface RebuildResult {
  readonly records: number;
  readonly stateHash: string;
  readonly seconds: number;
}

/** The database's own figures (what `storage stats` and diagnostics show of it): each engine's. */
export type DatabaseFootprint =
  | {
      readonly engine: "sqlite";
      /** vigil.db and its -wal file. */
      readonly bytes: number;
      readonly walBytes: number;
      readonly pageSize: number;
      readonly pages: number;
      readonly freePages: number;
    }
  | { readonly engine: "postgres"; readonly bytes: number; readonly version: string };

export interface StorageFootprint {
  readonly database: DatabaseFootprint;
  /** Tree nodes stored (level >= 1). */
  readonly storedNodes: number;
}

/**
 * Index maintenance every adapter offers: status, and rebuild by replaying
 * the journal, whose state hash is the same for the same journal on every
 * adapter (the rows hashed as SQLite holds them).
 */
export interface IndexMaintenance {
  status(): Promise<IndexStatus>;
  stateHash(): string | Promise<string>;
  rebuild(
    decode: (bytes: Buffer) => JournalRecord,
    project: Projector,
    onProgress?: (n: number) => void,
  ): RebuildResult | Promise<RebuildResult>;
  footprint(): Promise<StorageFootprint>;
  /** A quick structural check of the database (doctor): the problems found, none when healthy. */
  quickCheck(): Promise<string[]>;
}
