import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { isValidKeyName } from "../journal/index.js";
import type { Clock } from "../clock.js";
import { fsError, VigilError } from "../errors.js";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { generateKeyPair } from "./keys-file.js";
import { DEFAULT_INLINE_LIMIT, type LockerConfig, type ReplicaOf } from "./locker-config.js";
import { lockerPaths } from "./paths.js";
import { DEFAULT_RETENTION_DAYS } from "../domains/evidence/metadata.js";

export interface InitOptions {
  readonly origin?: string;
  readonly inlineLimit?: number;
  readonly retentionDays?: Readonly<Record<string, number | null>>;
  /** A follower of another log: no signing key is made; its origin and verifier key are the source's. */
  readonly replicaOf?: ReplicaOf;
  /** Keep the journal in this PostgreSQL database instead of vigil.db (see initPostgresLocker). */
  readonly databaseUrl?: string;
}

/** Creates a locker: a new locker id and signing key, its directory written by createLockerDir. */
export function initLocker(dataDir: string, clock: Clock, options: InitOptions = {}): LockerConfig {
  const target = resolve(dataDir);
  refuseExisting(target);
  const lockerId = `lck_${randomBytes(8).toString("hex")}`;
  const origin = options.replicaOf?.origin ?? options.origin ?? `vigil.local/${lockerId}`;
  if (!isValidKeyName(origin))
    throw new VigilError("INPUT_INVALID", `origin ${JSON.stringify(origin)} must have no spaces or "+"`);
  const config: LockerConfig = {
    format: "vigil-locker",
    v: 1,
    lockerId,
    origin,
    createdAt: clock.now().toISOString(),
    inlineLimit: options.inlineLimit ?? DEFAULT_INLINE_LIMIT,
    retentionClasses: Object.keys(options.retentionDays ?? DEFAULT_RETENTION_DAYS),
    retentionDays: { ...(options.retentionDays ?? DEFAULT_RETENTION_DAYS) },
    ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
    ...(options.replicaOf === undefined ? {} : { replicaOf: options.replicaOf }),
  };
  const keys = config.replicaOf === undefined ? generateKeyPair(config.origin) : null;
  createLockerDir(target, config, keys);
  return config;
}

/** A locker's own key pair as written to keys/ (PRIVATE+KEY text and its verifier key). */
export interface KeyFiles {
  readonly signerKey: string;
  readonly verifierKey: string;
}

/**
 * Writes a locker's data directory (vigil.json, keys, blob store, the SQLite
 * database unless the journal is in PostgreSQL), built in a sibling
 * temporary directory and renamed into place: a failure leaves nothing
 * behind and an existing locker is never touched. `keys` is null for a
 * replica, which holds only its source's verifier key.
 */
export function createLockerDir(dataDir: string, config: LockerConfig, keys: KeyFiles | null): void {
  const target = resolve(dataDir);
  refuseExisting(target);
  const staging = join(dirname(target), `.${basename(target)}.init-${randomBytes(4).toString("hex")}`);
  try {
    mkdirSync(dirname(target), { recursive: true });
    build(staging, config, keys);
    renameSync(staging, target);
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    if (e instanceof VigilError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "EACCES")
      throw new VigilError("PERMISSION_DENIED", `cannot create ${target}: permission denied`);
    if (code === "ENOTEMPTY" || code === "EEXIST")
      throw new VigilError("LOCKER_EXISTS", `${target} already exists and is not empty`);
    throw new VigilError("STORAGE_UNAVAILABLE", `cannot create ${target}: ${(e as Error).message}`);
  }
}

/** LOCKER_EXISTS unless `target` is absent or an empty directory. */
export function refuseExisting(target: string): void {
  if (!existsSync(target)) return;
  const p = lockerPaths(target);
  if (existsSync(p.config) || existsSync(p.database))
    throw new VigilError("LOCKER_EXISTS", `a locker already exists at ${target}; refusing to overwrite it`);
  let entries: string[];
  try {
    entries = readdirSync(target);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR")
      throw new VigilError("LOCKER_EXISTS", `${target} exists and is not a directory`);
    throw fsError(target, e, "cannot read");
  }
  if (entries.length > 0)
    throw new VigilError(
      "LOCKER_EXISTS",
      `${target} exists and is not empty; refusing to initialise a locker there`,
    );
}

function build(dir: string, config: LockerConfig, keys: KeyFiles | null): void {
  const p = lockerPaths(dir);
  mkdirSync(dir, { mode: 0o700 });
  mkdirSync(join(p.blobs, "sha256"), { recursive: true });
  mkdirSync(join(p.blobs, "tmp"), { recursive: true });
  mkdirSync(p.keys, { mode: 0o700 });
  if (config.replicaOf === undefined) {
    if (keys === null) throw new VigilError("INTERNAL", "a locker of its own needs its signing key");
    writeFileSync(p.signingKey, `${keys.signerKey}\n`, { mode: 0o600, flag: "wx" });
    writeFileSync(p.verifierKey, `${keys.verifierKey}\n`, { mode: 0o644, flag: "wx" });
  } else writeFileSync(p.verifierKey, `${config.replicaOf.verifierKey}\n`, { mode: 0o644, flag: "wx" });
  if (config.databaseUrl === undefined) openDatabase(p.database, { create: true }).close();
  writeFileSync(p.config, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o644, flag: "wx" });
}
