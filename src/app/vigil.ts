import { existsSync, readFileSync } from "node:fs";
import {
  ed25519Verifier,
  formatVerifierKey,
  parseVerifierKey,
  type Signer,
  type Verifier,
} from "../journal/index.js";
import { systemClock, type Clock } from "../clock.js";
import { VigilError } from "../errors.js";
import { BlobFiles } from "../storage/fs/blob-files.js";
import { describeUrl } from "../storage/postgres/describe-url.js";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { flushedLog, WalSync } from "../storage/sqlite/wal-sync.js";
import { SqliteBlobStore } from "../storage/sqlite/sqlite-blob-store.js";
import { SqliteEvidenceIndex } from "../storage/sqlite/sqlite-evidence-index.js";
import { SqliteLogStore } from "../storage/sqlite/sqlite-log-store.js";
import { SqliteTokenIndex } from "../storage/sqlite/sqlite-token-index.js";
import type { TokenIndex } from "../storage/token-index.js";
import { SqliteLifecycle } from "../storage/sqlite/sqlite-lifecycle.js";
import { SqliteMaintenance } from "../storage/sqlite/sqlite-maintenance.js";
import { FollowerLogStore, refusal } from "../replica/follower-log-store.js";
import { finishVerifierSwap, loadSigner, nextKeyPaths } from "./keys-file.js";
import { parseLockerConfig, type LockerConfig } from "./locker-config.js";
import { lockerPaths, type LockerPaths } from "./paths.js";

/** Everything a command needs, wired once (the composition root). */
export interface Vigil {
  /** A Vigil is a Locker (open-locker.ts) whose SQLite-only side is itself. */
  readonly backend: "sqlite";
  readonly embedded: Vigil;
  readonly config: LockerConfig;
  readonly paths: LockerPaths;
  readonly log: SqliteLogStore;
  readonly blobs: SqliteBlobStore;
  readonly evidence: SqliteEvidenceIndex;
  readonly tokens: TokenIndex;
  readonly maintenance: SqliteMaintenance;
  readonly lifecycle: SqliteLifecycle;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly verifierKey: string;
  readonly clock: Clock;
  close(): Promise<void>;
}

export interface OpenOptions {
  readonly clock?: Clock;
  /**
   * Flush commits in the thread pool instead of inside them (the server: a
   * flush then never blocks the requests being read meanwhile). Appends and
   * checkpoints still resolve only once durable. Artifact retrievals are
   * cached too (RetrievalCache), as only the long-running server gains.
   */
  readonly flushOffLoop?: boolean;
}

export function openVigil(dataDir: string, options: OpenOptions = {}): Vigil {
  const { config, paths, keys } = loadLockerIdentity(dataDir);
  if (config.databaseUrl !== undefined)
    throw new VigilError(
      "UNSUPPORTED",
      `locker ${dataDir} keeps its journal in PostgreSQL (${describeUrl(config.databaseUrl)}); this command supports only the embedded SQLite locker so far`,
    );
  if (!existsSync(paths.database))
    throw new VigilError("STORAGE_CORRUPT", `database ${paths.database} is missing`);
  const offLoop = options.flushOffLoop === true;
  const db = openDatabase(paths.database, { create: false, synchronous: offLoop ? "NORMAL" : "FULL" });
  const files = new BlobFiles(paths.blobs);
  const store =
    config.replicaOf === undefined ? new SqliteLogStore(db) : new FollowerLogStore(db, config.origin);
  const log = offLoop ? flushedLog(store, new WalSync(paths.database)) : store;
  const v: Omit<Vigil, "embedded"> & { embedded?: Vigil } = {
    backend: "sqlite",
    config,
    paths,
    log,
    blobs: new SqliteBlobStore(db, files),
    evidence: new SqliteEvidenceIndex(db, { cacheRetrievals: offLoop }),
    tokens: new SqliteTokenIndex(db),
    maintenance: new SqliteMaintenance(db, log, paths.database),
    lifecycle: new SqliteLifecycle(db, log),
    ...keys,
    clock: options.clock ?? systemClock,
    close: () => log.close(),
  };
  v.embedded = v as Vigil;
  return v as Vigil;
}

/** A locker's configuration and keys, whichever backend holds its journal. */
export function loadLockerIdentity(dataDir: string): {
  config: LockerConfig;
  paths: LockerPaths;
  keys: Keys;
} {
  const paths = lockerPaths(dataDir);
  if (!existsSync(paths.config)) {
    throw new VigilError("LOCKER_NOT_FOUND", `no locker at ${dataDir} (run: vigil init --data ${dataDir})`);
  }
  const config = parseLockerConfig(readText(paths.config), paths.config);
  const keys = config.replicaOf === undefined ? ownKeys(config, paths) : replicaKeys(config, paths);
  return { config, paths, keys };
}

export type Keys = Pick<Vigil, "signer" | "verifier" | "verifierKey">;

function ownKeys(config: LockerConfig, paths: LockerPaths): Keys {
  finishVerifierSwap(paths.signingKey, paths.verifierKey);
  const signer = loadSigner(paths.signingKey);
  assertOwnKey(signer, config, paths);
  return {
    signer: existsSync(nextKeyPaths(paths.signingKey, paths.verifierKey).key) ? refusing(signer) : signer,
    verifier: ed25519Verifier(signer.name, signer.publicKey),
    verifierKey: formatVerifierKey(signer.name, signer.publicKey),
  };
}

/** During an unfinished key rotation the old key signs nothing: the journal may already name its successor. */
function refusing(signer: Signer): Signer {
  return {
    ...signer,
    sign: () => {
      throw new VigilError(
        "KEY_INVALID",
        "a key rotation is unfinished: run `vigil key rotate` to finish it",
      );
    },
  };
}

/**
 * A replica verifies with its source's key and holds no signing key: its
 * signer refuses, so it can never sign an anchor of its own.
 */
function replicaKeys(config: LockerConfig, paths: LockerPaths): Keys {
  const verifierKey = (config.replicaOf?.verifierKey ?? "").trim();
  const published = existsSync(paths.verifierKey) ? readText(paths.verifierKey).trim() : verifierKey;
  if (published !== verifierKey)
    throw new VigilError(
      "KEY_INVALID",
      `${paths.verifierKey} is not the key this replica's vigil.json follows`,
    );
  const verifier = parseVerifierKey(verifierKey);
  const publicKey = Buffer.from(verifierKey.split("+").slice(2).join("+"), "base64").subarray(1);
  const signer: Signer = {
    name: verifier.name,
    keyId: verifier.keyId,
    publicKey,
    sign: () => {
      throw refusal(config.origin, "sign anchors (it holds no signing key)");
    },
  };
  return { signer, verifier, verifierKey };
}

/** A read-only view of a locker database and its blob directory: a backup copy, a replica's source. */
export interface LockerView {
  readonly log: SqliteLogStore;
  readonly blobs: SqliteBlobStore;
  readonly lifecycle: SqliteLifecycle;
  /** Index status and state hash (a read-only view cannot rebuild). */
  readonly maintenance: Pick<SqliteMaintenance, "status" | "stateHash">;
  close(): Promise<void>;
}

export function openLockerView(databaseFile: string, blobDir: string): LockerView {
  if (!existsSync(databaseFile)) throw new VigilError("NOT_FOUND", `no locker database at ${databaseFile}`);
  const db = openDatabase(databaseFile, { create: false, readonly: true });
  const log = new SqliteLogStore(db);
  return {
    log,
    blobs: new SqliteBlobStore(db, new BlobFiles(blobDir)),
    lifecycle: new SqliteLifecycle(db, log),
    maintenance: new SqliteMaintenance(db, log, databaseFile),
    close: () => log.close(),
  };
}

/** The signing key must be this locker's: named for its origin and matching the published verifier key. */
export function assertOwnKey(signer: Signer, config: LockerConfig, paths: LockerPaths): void {
  if (signer.name !== config.origin) {
    throw new VigilError(
      "KEY_INVALID",
      `signing key ${paths.signingKey} is named ${signer.name}, not this locker's origin ${config.origin}`,
    );
  }
  const published = existsSync(paths.verifierKey) ? readText(paths.verifierKey).trim() : null;
  if (published !== null && published !== formatVerifierKey(signer.name, signer.publicKey)) {
    throw new VigilError(
      "KEY_INVALID",
      `signing key ${paths.signingKey} does not match the verifier key ${paths.verifierKey}`,
    );
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES")
      throw new VigilError("PERMISSION_DENIED", `cannot read ${path}: permission denied`);
    throw new VigilError("STORAGE_UNAVAILABLE", `cannot read ${path} (${code ?? "error"})`);
  }
}
