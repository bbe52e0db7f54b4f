import { systemClock, type Clock } from "../clock.js";
import { VigilError } from "../errors.js";
import type { Signer, Verifier } from "../journal/index.js";
import { initLocker, type InitOptions } from "./init-locker.js";
import { rmSync } from "node:fs";
import { parseDatabaseUrl, type LockerConfig } from "./locker-config.js";
import type { LockerPaths } from "./paths.js";
import type { LockerStores, PostgresStores } from "./postgres-stores.js";
import { loadLockerIdentity, openVigil, type Vigil } from "./vigil.js";

/**
 * A locker through its ports only, on either backend: what the HTTP server
 * and backend-neutral code use. SQLite-only operations (online backup,
 * point-in-time truncation, replicas, full verification's workers) stay on
 * `Vigil`, reached through the `embedded` capability (requireEmbedded).
 */
export interface Locker extends LockerPorts {
  readonly backend: "sqlite" | "postgres";
  /** The same locker with its SQLite-only operations; null on PostgreSQL. */
  readonly embedded: Vigil | null;
}

/** What backend-neutral code reads: the stores, the identity and the clock (a Vigil is one too). */
export interface LockerPorts extends LockerStores {
  readonly config: LockerConfig;
  readonly paths: LockerPaths;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly verifierKey: string;
  readonly clock: Clock;
}

export interface OpenLockerOptions {
  readonly clock?: Clock;
  /** Overrides vigil.json's databaseUrl (the CLI passes VIGIL_DATABASE_URL; credentials stay out of the file). */
  readonly databaseUrl?: string;
  /** The embedded locker's commit flushes off the event loop (openVigil's flushOffLoop; the server). */
  readonly flushOffLoop?: boolean;
}

/** Loaded on first use: the SQLite path (every CLI command) never pays for loading the pg driver. */
async function openPostgresStores(url: string, lockerId?: string): Promise<PostgresStores> {
  return (await import("./postgres-stores.js")).openPostgresStores(url, lockerId);
}

export async function openLocker(dataDir: string, options: OpenLockerOptions = {}): Promise<Locker> {
  const { config, paths, keys } = loadLockerIdentity(dataDir);
  const url = options.databaseUrl ?? config.databaseUrl;
  const clock = options.clock ?? systemClock;
  if (url === undefined || config.databaseUrl === undefined) {
    if (url !== undefined)
      throw new VigilError("USAGE", `locker ${dataDir} keeps its journal in vigil.db, not in PostgreSQL`);
    return openVigil(dataDir, { clock, flushOffLoop: options.flushOffLoop });
  }
  if (config.replicaOf !== undefined)
    throw new VigilError("UNSUPPORTED", "a replica locker on PostgreSQL is not supported yet");
  const stores = await openPostgresStores(url, config.lockerId);
  return { backend: "postgres", embedded: null, config, paths, ...keys, clock, ...stores };
}

/** The SQLite-only side of a locker, or UNSUPPORTED naming what needed it. */
export function requireEmbedded(l: Locker, what: string): Vigil {
  if (l.embedded !== null) return l.embedded;
  throw embeddedOnly(what);
}

/** What refuses an operation of the embedded SQLite locker on a PostgreSQL one. */
function embeddedOnly(what: string): VigilError {
  return new VigilError(
    "UNSUPPORTED",
    `${what} needs the embedded SQLite locker; this one keeps its journal in PostgreSQL (use the database's own tools: pg_dump, PITR, streaming replication)`,
  );
}

/**
 * Creates a locker whose journal lives in PostgreSQL: the database is
 * migrated and claimed for the new locker id, so a database that already
 * holds another locker's journal is refused before anything is written.
 */
export async function initPostgresLocker(
  dataDir: string,
  clock: Clock,
  databaseUrl: string,
  options: Omit<InitOptions, "databaseUrl" | "replicaOf"> = {},
): Promise<LockerConfig> {
  parseDatabaseUrl(databaseUrl, (why) => {
    throw new VigilError("INPUT_INVALID", `--database-url: invalid ${why}`);
  });
  const probe = await openPostgresStores(databaseUrl);
  try {
    if ((await probe.log.size()) > 0 || (await probe.owner()) !== null)
      throw new VigilError(
        "LOCKER_EXISTS",
        "the database already holds a locker's journal; refusing to share it",
      );
  } finally {
    await probe.close();
  }
  const config = initLocker(dataDir, clock, { ...options, databaseUrl });
  try {
    await (await openPostgresStores(databaseUrl, config.lockerId)).close();
  } catch (e) {
    rmSync(dataDir, { recursive: true, force: true }); // just made by us: another init claimed the database first
    throw e;
  }
  return config;
}
