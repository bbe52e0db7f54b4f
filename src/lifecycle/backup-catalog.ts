import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { fsError, VigilError } from "../errors.js";
import { BACKUP_ID, MANIFEST_FILE, parseBackupManifest, type BackupManifest } from "./backup-manifest.js";

export interface BackupSummary {
  readonly id: string;
  readonly dir: string;
  readonly createdAt: string;
  readonly anchor: BackupManifest["anchor"];
  readonly journalSize: number;
  readonly files: number;
  readonly bytes: number;
  readonly includesSigningKey: boolean;
}

export interface BackupListing {
  readonly backups: BackupSummary[];
  /** Directories without a manifest (interrupted backups): never listed, never restored. */
  readonly incomplete: string[];
  /** Directories whose manifest does not parse. */
  readonly unreadable: string[];
}

/** Complete backups under `root`, oldest first. */
export function listBackups(root: string): BackupListing {
  const out: BackupListing = { backups: [], incomplete: [], unreadable: [] };
  if (!existsSync(root)) return out;
  for (const name of readNames(root).sort()) {
    const dir = join(root, name);
    if (!isDir(dir)) continue;
    if (!existsSync(join(dir, MANIFEST_FILE))) {
      out.incomplete.push(name);
      continue;
    }
    try {
      out.backups.push(summary(dir, readManifest(dir)));
    } catch {
      out.unreadable.push(name);
    }
  }
  out.backups.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  return out;
}

/** A backup by id under `root`, or by its directory path. */
export function resolveBackup(ref: string, root: string): string {
  const byId = BACKUP_ID.test(ref) ? join(root, ref) : null;
  const dir = byId !== null && existsSync(byId) ? byId : resolve(ref);
  if (!existsSync(dir)) throw new VigilError("NOT_FOUND", `no backup ${ref} (looked in ${root})`);
  if (!existsSync(join(dir, MANIFEST_FILE)))
    throw new VigilError("NOT_FOUND", `backup ${ref} is incomplete (no ${MANIFEST_FILE}): it cannot be used`);
  return dir;
}

export function readManifest(dir: string): BackupManifest {
  const path = join(dir, MANIFEST_FILE);
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
  return parseBackupManifest(text, path);
}

export function summary(dir: string, m: BackupManifest): BackupSummary {
  return {
    id: m.id,
    dir,
    createdAt: m.createdAt,
    anchor: m.anchor,
    journalSize: m.journalSize,
    files: m.files.length,
    bytes: m.files.reduce((n, f) => n + f.size, 0),
    includesSigningKey: m.includesSigningKey,
  };
}

function readNames(root: string): string[] {
  try {
    return readdirSync(root);
  } catch (e) {
    throw fsError(root, e, "cannot read");
  }
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
