import { rmSync } from "node:fs";
import { resolve } from "node:path";
import { createLockerDir, refuseExisting } from "../app/init-locker.js";
import { parseDatabaseUrl, type LockerConfig } from "../app/locker-config.js";
import { openPostgresStores, type PostgresStores } from "../app/postgres-stores.js";
import { projectAll } from "../app/projection.js";
import { isVigilError, VigilError } from "../errors.js";
import { equalBytes, parseVerifierKey } from "../journal/index.js";
import { verifyAnchors } from "../log/anchors.js";
import { EntryCopier, type CopyTarget } from "../replica/entry-copier.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import { describeUrl } from "../storage/postgres/describe-url.js";
import { MigrationSource } from "./migration-source.js";
import { proveCopy } from "./prove-copy.js";

export interface MigrateOptions {
  /** The embedded locker's data directory (read only). */
  readonly from: string;
  /** The empty PostgreSQL database (no password in it: ~/.pgpass or PGPASSWORD). */
  readonly to: string;
  /** The new data directory of the migrated locker (vigil.json with databaseUrl, keys/). */
  readonly targetDir: string;
  readonly onProgress?: (stage: string, done: number, total: number) => void;
}

export interface MigrateResult {
  readonly from: string;
  readonly targetDir: string;
  readonly database: string;
  readonly lockerId: string;
  readonly origin: string;
  /** The database held an unfinished migration of this locker, emptied and started over. */
  readonly restarted: boolean;
  readonly entries: number;
  readonly contents: number;
  readonly bytes: number;
  readonly anchors: { readonly checked: number; readonly archivedDivergent: number };
  readonly size: number;
  /** The journal's root at its full size (base64), equal on both sides. */
  readonly root: string | null;
  readonly stateHash: string;
}

/**
 * Copies an embedded locker into an empty PostgreSQL database and proves the
 * copy before it becomes a locker: same locker id, origin, keys and settings;
 * every record verbatim (so the same leaves and roots), contents where the
 * source holds them, anchors verbatim. The source is read in one snapshot and
 * never written. Until the proof passes, the database is marked unfinished
 * (refused on open) and the target directory does not exist; a failure
 * empties the database again, and a killed run is started over by the next.
 */
export async function migrate(o: MigrateOptions): Promise<MigrateResult> {
  parseDatabaseUrl(o.to, (why) => {
    throw new VigilError("INPUT_INVALID", `--to: invalid ${why}`);
  });
  refuseExisting(resolve(o.targetDir));
  const source = new MigrationSource(o.from);
  try {
    const lag = await source.indexLag();
    if (lag !== 0)
      throw new VigilError(
        "CONFLICT",
        `the source's index is ${lag} entries behind its journal: run vigil index rebuild on it first`,
      );
    const stores = await openPostgresStores(o.to);
    try {
      return await stores.copyIn.exclusively(() => migrateInto(source, stores, o));
    } finally {
      await stores.close();
    }
  } finally {
    await source.close();
  }
}

async function migrateInto(
  source: MigrationSource,
  stores: PostgresStores,
  o: MigrateOptions,
): Promise<MigrateResult> {
  const config: LockerConfig = { ...source.lockerConfig, databaseUrl: o.to };
  const start = await stores.copyIn.claim(config.lockerId, source.location);
  let dirMade = false;
  try {
    const copied = await source.snapshot(() => copyAndProve(source, stores, config, o));
    createLockerDir(o.targetDir, config, source.keys);
    dirMade = true;
    await stores.copyIn.finish(config.lockerId);
    return {
      from: source.location,
      targetDir: resolve(o.targetDir),
      database: describeUrl(o.to),
      lockerId: config.lockerId,
      origin: config.origin,
      restarted: start === "restarted",
      ...copied,
    };
  } catch (e) {
    if (dirMade) rmSync(resolve(o.targetDir), { recursive: true, force: true });
    const emptied = await stores.copyIn.abandon(config.lockerId).then(
      () => true,
      () => false,
    );
    if (!isVigilError(e)) throw e;
    const after = emptied
      ? "the target database was emptied again"
      : "the target database stays marked unfinished (run vigil migrate again)";
    throw new VigilError(e.code, `${e.message}; ${after}`, { cause: e });
  }
}

type Copied = Omit<MigrateResult, "from" | "targetDir" | "database" | "lockerId" | "origin" | "restarted">;

/** Inside the source snapshot: records and contents, the proof, the anchors verbatim, the index. */
async function copyAndProve(
  source: MigrationSource,
  stores: PostgresStores,
  config: LockerConfig,
  o: MigrateOptions,
): Promise<Copied> {
  const size = await source.size();
  const anchors = await source.checkpoints();
  const copier = new EntryCopier(postgresTarget(stores, config.inlineLimit), source);
  await copier.copyTo(size, (n) => o.onProgress?.("copying entries", n, size));
  const missing = copier.stats.contentsMissing;
  if (missing.length > 0)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `the source cannot supply the contents of ${missing.length} artifact(s) intact (${missing.slice(0, 3).join(", ")}${missing.length > 3 ? ", …" : ""}): repair them (vigil verify --mode full, vigil recover) before migrating`,
    );
  const proof = await proveCopy(stores.log, source, anchors, size, (n) => o.onProgress?.("proving", n, size));
  await copyAnchors(stores, anchors);
  await checkAnchors(stores, config, source.keys.verifierKey);
  const stateHash = await sameIndex(stores, source);
  const { entries, contents, bytes } = copier.stats;
  return {
    entries,
    contents,
    bytes,
    anchors: { checked: proof.anchors, archivedDivergent: proof.archivedDivergent },
    size,
    root: proof.root === null ? null : proof.root.toString("base64"),
    stateHash,
  };
}

/** PostgreSQL as the copier's target: appends project the index; large contents become chunk rows. */
function postgresTarget(stores: PostgresStores, inlineLimit: number): CopyTarget {
  return {
    inlineLimit,
    blobs: stores.blobs,
    size: () => stores.log.size(),
    append: (items) => stores.log.append(items, projectAll),
    // Staging the same bytes twice is harmless: the first committed run holds the digest.
    holdsLarge: () => Promise.resolve(false),
  };
}

/** The source's anchors stored in order, then read back: every row must be the source's, byte for byte. */
async function copyAnchors(stores: PostgresStores, anchors: readonly StoredCheckpoint[]): Promise<void> {
  for (const a of anchors) {
    const { size, root, note, createdAt, segment } = a;
    await stores.log.addCheckpoint({ size, root, note, createdAt, segment });
  }
  const stored = await stores.log.listCheckpoints();
  anchors.forEach((a, i) => {
    const s = stored[i];
    const same =
      s !== undefined &&
      s.seq === a.seq &&
      s.size === a.size &&
      s.segment === a.segment &&
      s.note === a.note &&
      s.createdAt === a.createdAt &&
      equalBytes(s.root, a.root);
    if (!same)
      throw new VigilError("INTEGRITY_FAILURE", `anchor ${a.seq} was not stored as the source holds it`);
  });
}

/** What `vigil anchor verify --all` checks, on the copy: signatures by the key chain, links, chain starts. */
async function checkAnchors(
  stores: PostgresStores,
  config: LockerConfig,
  verifierKey: string,
): Promise<void> {
  const ctx = { log: stores.log, verifier: parseVerifierKey(verifierKey), origin: config.origin };
  const bad = (await verifyAnchors(ctx, "all")).find((c) => !c.ok);
  if (bad !== undefined)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `anchor ${bad.seq} (size ${bad.size}) does not verify on the copy: ${bad.problems.join("; ")}`,
    );
}

/** The index projected during the copy must hash like the source's (the same rows on either backend). */
async function sameIndex(stores: PostgresStores, source: MigrationSource): Promise<string> {
  const mine = await stores.maintenance.stateHash();
  const theirs = source.stateHash();
  if (mine !== theirs)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `the copy's index state hash ${mine} differs from the source's ${theirs}`,
    );
  return mine;
}
