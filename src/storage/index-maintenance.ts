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
}
