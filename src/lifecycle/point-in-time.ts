import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rename, rm, rmdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { anchorContext } from "../app/anchor-views.js";
import { decodeStored, projectAll } from "../app/projection.js";
import { openVigil, type Vigil } from "../app/vigil.js";
import { fsError, VigilError } from "../errors.js";
import { checkAnchor } from "../log/anchors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import { anchorOf, createBackup } from "./backup-create.js";
import { MANIFEST_FILE, type BackupAnchor } from "./backup-manifest.js";
import { syncDirs, unlinkAll } from "./files.js";
import { refuseNonEmpty } from "./restore-backup.js";

export interface Rollback {
  /** The anchor whose tree the locker now holds exactly. */
  readonly anchor: BackupAnchor;
  readonly dataDir: string;
  readonly removedEntries: number;
  readonly removedAnchors: number;
  readonly unlinkedFiles: number;
  /** The automatic backup taken first (in-place rollbacks only). */
  readonly backup: { readonly id: string; readonly dir: string } | null;
  /** Artifacts of the kept tree whose contents are gone (removed by a later expiry): not restorable here. */
  readonly contentsMissing: string[];
}

/**
 * Point-in-time recovery in place: an automatic backup first, then the
 * journal is cut back to exactly anchor `seq`'s tree in one transaction
 * (proved by recomputing its signed root), then file blobs nothing
 * references any more are unlinked. Stop writers first: an artifact being
 * added while the cut runs may lose its file.
 */
export async function rollBackInPlace(v: Vigil, seq: number): Promise<Rollback> {
  const keep = await requireAnchor(v, seq);
  const backup = await createBackup(v);
  const cut = await cutTo(v, keep);
  return { ...cut, backup: { id: backup.manifest.id, dir: backup.dir } };
}

/** Point-in-time recovery into a new locker directory; the source locker is not changed. */
export async function rollBackInto(v: Vigil, seq: number, target: string): Promise<Rollback> {
  const keep = await requireAnchor(v, seq);
  const dest = resolve(target);
  refuseNonEmpty(dest);
  const staging = join(dirname(dest), `.${basename(dest)}.pitr-${randomBytes(4).toString("hex")}`);
  const withKey = v.config.replicaOf === undefined;
  try {
    await createBackup(v, { dir: staging, includeSigningKey: withKey, linkBlobs: false });
    await asLocker(staging);
    if (existsSync(dest)) await rmdir(dest);
    await rename(staging, dest);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e instanceof VigilError ? e : fsError(dest, e, "cannot create");
  }
  const t = openVigil(dest, { clock: v.clock });
  let done = false;
  try {
    const cut = await cutTo(t, keep);
    done = true;
    return { ...cut, backup: null };
  } finally {
    await t.close();
    if (!done) await rm(dest, { recursive: true, force: true });
  }
}

/** A backup directory has a locker's layout; it needs its staging area and no manifest. */
async function asLocker(dir: string): Promise<void> {
  await rm(join(dir, MANIFEST_FILE));
  await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
  await mkdir(join(dir, "blobs", "tmp"), { recursive: true });
  await syncDirs([join(dir, "blobs"), dir]);
}

/** The anchor to roll back to: it exists, the journal reaches it, and it verifies. */
async function requireAnchor(v: Vigil, seq: number): Promise<StoredCheckpoint> {
  const a = await v.log.getCheckpoint(seq);
  if (a === null) throw new VigilError("NOT_FOUND", `no anchor ${seq}`);
  const check = await checkAnchor(anchorContext(v), a, null);
  if (!check.ok)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `anchor ${seq} does not verify, refusing to roll back to it: ${check.problems.join("; ")}`,
    );
  return a;
}

async function cutTo(v: Vigil, keep: StoredCheckpoint): Promise<Omit<Rollback, "backup">> {
  const r = v.lifecycle.truncate(keep, () => void v.maintenance.rebuild(decodeStored, projectAll));
  const unlinkedFiles = await unlinkAll(r.unreferencedFiles.map((d) => v.blobs.files.pathOf(d)));
  return {
    anchor: anchorOf(keep),
    dataDir: resolve(v.paths.dataDir),
    removedEntries: r.removedEntries,
    removedAnchors: r.removedCheckpoints,
    unlinkedFiles,
    contentsMissing: await contentsMissing(v),
  };
}

async function contentsMissing(v: Vigil): Promise<string[]> {
  const out: string[] = [];
  for (const { digest, tenant } of v.blobs.missingForEvidence()) {
    const row = await v.evidence.get(digest, tenant);
    const state = row === null ? null : (await v.evidence.lifecycle(row.leafIndex)).state;
    if (state?.state !== "expired") out.push(`sha256:${digest.toString("hex")}`);
  }
  return out;
}
