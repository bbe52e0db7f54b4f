import type { BlobStore } from "../storage/blob-store.js";
import type { EvidenceIndex } from "../storage/evidence-index.js";
import type { IndexMaintenance } from "../storage/index-maintenance.js";
import type { LogStore } from "../storage/log-store.js";
import type { TokenIndex } from "../storage/token-index.js";
import { openPostgres } from "../storage/postgres/open-pool.js";
import { bindLocker, boundLocker } from "../storage/postgres/pg-locker-binding.js";
import { PgBlobStore } from "../storage/postgres/pg-blob-store.js";
import { PgCopyIn } from "../storage/postgres/pg-copy-in.js";
import { PgEvidenceIndex } from "../storage/postgres/pg-evidence-index.js";
import { PgLogStore } from "../storage/postgres/pg-log-store.js";
import { PgMaintenance } from "../storage/postgres/pg-maintenance.js";
import { PgTokenIndex } from "../storage/postgres/pg-token-index.js";

/** The storage ports of a locker, whichever adapter backs them. */
export interface LockerStores {
  readonly log: LogStore;
  readonly blobs: BlobStore;
  readonly evidence: EvidenceIndex;
  readonly tokens: TokenIndex;
  readonly maintenance: IndexMaintenance;
  close(): Promise<void>;
}

export interface PostgresStores extends LockerStores {
  readonly blobs: PgBlobStore;
  /** The locker id the database belongs to, null while unclaimed. */
  owner(): Promise<string | null>;
  /** Claiming, finishing or abandoning a copy by `vigil migrate` (opened without a locker id). */
  readonly copyIn: PgCopyIn;
}

/**
 * Wires the PostgreSQL adapters over one pool (schema migrated on open).
 * With `lockerId` the database must belong to that locker (claimed if new).
 */
export async function openPostgresStores(databaseUrl: string, lockerId?: string): Promise<PostgresStores> {
  const db = await openPostgres(databaseUrl);
  if (lockerId !== undefined)
    await bindLocker(db, lockerId).catch(async (e: unknown) => {
      await db.close();
      throw e;
    });
  const log = new PgLogStore(db);
  return {
    log,
    blobs: new PgBlobStore(db),
    evidence: new PgEvidenceIndex(db),
    tokens: new PgTokenIndex(db),
    maintenance: new PgMaintenance(db),
    owner: () => boundLocker(db),
    copyIn: new PgCopyIn(db),
    close: () => log.close(),
  };
}
