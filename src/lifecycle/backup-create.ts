import { existsSync } from "node:fs";
import { chmod, copyFile, mkdir } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { openLockerView, type Vigil } from "../app/vigil.js";
import { fsError, VigilError } from "../errors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import { fsyncFile } from "../storage/fs/blob-files.js";
import {
  blobFilePath,
  MANIFEST_FILE,
  newBackupId,
  type BackupAnchor,
  type BackupFile,
  type BackupManifest,
} from "./backup-manifest.js";
import { placeFile, sha256File, syncDirs, writeDurable } from "./files.js";

export interface BackupOptions {
  /** The backup directory (default <data>/backups/<id>); must be missing or empty. */
  readonly dir?: string;
  /** Copy keys/signing.key too (mode 0600). Off by default: a backup is not a key escrow. */
  readonly includeSigningKey?: boolean;
  /** Hard-link file blobs where the filesystem allows (default), else copy them. */
  readonly linkBlobs?: boolean;
}

export interface CreatedBackup {
  readonly dir: string;
  readonly manifest: BackupManifest;
}

/** What the copied database holds: read back from the copy, not from the live locker. */
interface Snapshot {
  readonly anchor: StoredCheckpoint | null;
  readonly journalSize: number;
  readonly fileBlobs: readonly { digest: Buffer; size: number }[];
}

/**
 * A consistent online backup: the database by SQLite's online backup API on
 * the live connection (one snapshot, writers continue), then exactly the file
 * blobs that snapshot references, vigil.json and the verifier key. The
 * manifest is written last, durably: a directory without one is incomplete.
 */
export async function createBackup(v: Vigil, options: BackupOptions = {}): Promise<CreatedBackup> {
  const includeKey = options.includeSigningKey === true;
  if (includeKey && v.config.replicaOf !== undefined)
    throw new VigilError("USAGE", "this locker is a replica: it holds no signing key to include");
  const createdAt = v.clock.now();
  const id = newBackupId(createdAt);
  const dir = resolve(options.dir ?? join(v.paths.backups, id));
  await requireFreshDir(dir);
  const db = join(dir, "vigil.db");
  await v.lifecycle.backupTo(db);
  await fsyncFile(db);
  const snap = await inspect(db, v.paths.blobs);
  const files = [
    await describe(dir, "vigil.db"),
    ...(await copyConfig(v, dir, includeKey)),
    ...(await placeBlobs(v, dir, snap.fileBlobs, options.linkBlobs !== false)),
  ];
  const manifest: BackupManifest = {
    format: "vigil-backup",
    v: 1,
    id,
    createdAt: createdAt.toISOString(),
    lockerId: v.config.lockerId,
    origin: v.config.origin,
    anchor: snap.anchor === null ? null : anchorOf(snap.anchor),
    journalSize: snap.journalSize,
    includesSigningKey: includeKey,
    files,
  };
  await writeDurable(join(dir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir, manifest };
}

export function anchorOf(a: StoredCheckpoint): BackupAnchor {
  return { seq: a.seq, size: a.size, root: a.root.toString("base64"), segment: a.segment };
}

async function requireFreshDir(dir: string): Promise<void> {
  if (existsSync(dir)) throw new VigilError("CONFLICT", `backup directory ${dir} already exists`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw fsError(dir, e, "cannot create");
  }
}

async function inspect(db: string, blobDir: string): Promise<Snapshot> {
  const view = openLockerView(db, blobDir);
  try {
    return {
      anchor: await view.log.latestCheckpoint(),
      journalSize: await view.log.size(),
      fileBlobs: view.blobs.fileBlobs(),
    };
  } finally {
    await view.close();
  }
}

async function describe(dir: string, path: string): Promise<BackupFile> {
  return { path, ...(await sha256File(join(dir, path))) };
}

async function copyConfig(v: Vigil, dir: string, includeKey: boolean): Promise<BackupFile[]> {
  await mkdir(join(dir, "keys"), { mode: 0o700 });
  const copies: [string, string, number][] = [
    [v.paths.config, "vigil.json", 0o644],
    [v.paths.verifierKey, "keys/signing.vkey", 0o644],
  ];
  if (includeKey) copies.push([v.paths.signingKey, "keys/signing.key", 0o600]);
  const out: BackupFile[] = [];
  for (const [src, path, mode] of copies) {
    const dst = join(dir, path);
    try {
      await copyFile(src, dst);
      await chmod(dst, mode);
      await fsyncFile(dst);
    } catch (e) {
      throw fsError(src, e, "cannot copy");
    }
    out.push(await describe(dir, path));
  }
  await syncDirs([join(dir, "keys"), dir]);
  return out;
}

/** Blobs are content-addressed and immutable: the digest is the file's checksum. */
async function placeBlobs(
  v: Vigil,
  dir: string,
  blobs: Snapshot["fileBlobs"],
  link: boolean,
): Promise<BackupFile[]> {
  const out: BackupFile[] = [];
  const dirs: string[] = [];
  const seen = new Set<string>();
  for (const b of blobs) {
    const hex = b.digest.toString("hex");
    if (seen.has(hex)) continue;
    seen.add(hex);
    const path = blobFilePath(hex);
    dirs.push(await placeFile(v.blobs.files.pathOf(b.digest), join(dir, path), link));
    out.push({ path, size: b.size, sha256: hex });
  }
  const parents = dirs.flatMap((d) => [d, dirname(d)]);
  await syncDirs([...parents, join(dir, "blobs", "sha256"), join(dir, "blobs"), dir].filter(existsSync));
  return out;
}
