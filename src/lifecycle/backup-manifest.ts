import { randomBytes } from "node:crypto";
import { VigilError } from "../errors.js";

/** Written last: a backup directory without it is incomplete and ignored. */
export const MANIFEST_FILE = "manifest.json";

/** One file of a backup, by its path inside the backup (the locker's own layout). */
export interface BackupFile {
  readonly path: string;
  readonly size: number;
  readonly sha256: string;
}

/** The anchor a backup covers: the latest one inside the copied database. */
export interface BackupAnchor {
  readonly seq: number;
  readonly size: number;
  /** Base64, as in the checkpoint body. */
  readonly root: string;
  readonly segment: number;
}

/** manifest.json of a backup, format vigil-backup v1. */
export interface BackupManifest {
  readonly format: "vigil-backup";
  readonly v: 1;
  readonly id: string;
  readonly createdAt: string;
  readonly lockerId: string;
  readonly origin: string;
  readonly anchor: BackupAnchor | null;
  readonly journalSize: number;
  readonly includesSigningKey: boolean;
  readonly files: readonly BackupFile[];
}

export const BACKUP_ID = /^bkp_\d{8}T\d{6}Z_[0-9a-f]{8}$/;

/**
 * Only these paths may appear in a manifest: restore copies what it lists,
 * so a hostile manifest must not name anything outside the backup.
 */
const FILE_PATH =
  /^(vigil\.json|vigil\.db|keys\/signing\.vkey|keys\/signing\.key|blobs\/sha256\/[0-9a-f]{2}\/[0-9a-f]{2}\/[0-9a-f]{64})$/;

/** bkp_<UTC time>_<random>: sortable by time, unique without coordination. */
export function newBackupId(now: Date): string {
  const t = now
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z");
  return `bkp_${t}_${randomBytes(4).toString("hex")}`;
}

export function blobFilePath(digestHex: string): string {
  return `blobs/sha256/${digestHex.slice(0, 2)}/${digestHex.slice(2, 4)}/${digestHex}`;
}

/** Parses a manifest read back from disk (attacker-controlled: every field is checked). */
export function parseBackupManifest(text: string, where: string): BackupManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new VigilError("INPUT_INVALID", `${where}: not JSON (${(e as Error).message})`);
  }
  const bad = (field: string): never => {
    throw new VigilError("INPUT_INVALID", `${where}: field ${field} is missing or invalid`);
  };
  const r = (typeof raw === "object" && raw !== null ? raw : bad("(root)")) as Record<string, unknown>;
  if (r.format !== "vigil-backup") bad("format");
  if (r.v !== 1) bad("v");
  if (typeof r.id !== "string" || !BACKUP_ID.test(r.id)) bad("id");
  for (const f of ["createdAt", "lockerId", "origin"]) if (typeof r[f] !== "string") bad(f);
  if (!isCount(r.journalSize)) bad("journalSize");
  if (typeof r.includesSigningKey !== "boolean") bad("includesSigningKey");
  if (!Array.isArray(r.files)) bad("files");
  return {
    format: "vigil-backup",
    v: 1,
    id: r.id as string,
    createdAt: r.createdAt as string,
    lockerId: r.lockerId as string,
    origin: r.origin as string,
    anchor: r.anchor === null ? null : parseAnchor(r.anchor, bad),
    journalSize: r.journalSize as number,
    includesSigningKey: r.includesSigningKey as boolean,
    files: (r.files as unknown[]).map((f, i) => parseFile(f, (x) => bad(`files[${i}].${x}`))),
  };
}

function parseAnchor(raw: unknown, bad: (field: string) => never): BackupAnchor {
  const a = (typeof raw === "object" && raw !== null ? raw : bad("anchor")) as Record<string, unknown>;
  if (!isCount(a.seq) || !isCount(a.size) || !isCount(a.segment)) bad("anchor");
  if (typeof a.root !== "string" || !/^[A-Za-z0-9+/]{43}=$/.test(a.root)) bad("anchor.root");
  return {
    seq: a.seq,
    size: a.size,
    root: a.root,
    segment: a.segment,
  };
}

function parseFile(raw: unknown, bad: (field: string) => never): BackupFile {
  const f = (typeof raw === "object" && raw !== null ? raw : bad("(entry)")) as Record<string, unknown>;
  if (typeof f.path !== "string" || !FILE_PATH.test(f.path)) bad("path");
  if (!isCount(f.size)) bad("size");
  if (typeof f.sha256 !== "string" || !/^[0-9a-f]{64}$/.test(f.sha256)) bad("sha256");
  return { path: f.path, size: f.size, sha256: f.sha256 };
}

function isCount(x: unknown): x is number {
  return Number.isSafeInteger(x) && (x as number) >= 0;
}
