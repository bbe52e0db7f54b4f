import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, rmdir, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { formatVerifierKey } from "../journal/index.js";
import { loadSigner } from "../app/keys-file.js";
import { parseLockerConfig } from "../app/locker-config.js";
import { lockerPaths } from "../app/paths.js";
import { fsError, VigilError } from "../errors.js";
import { readManifest } from "./backup-catalog.js";
import type { BackupManifest } from "./backup-manifest.js";
import { verifyBackup } from "./backup-verify.js";
import { placeFile, syncDirs } from "./files.js";

/** Where the restored locker's signing key comes from when the backup holds none. */
export interface KeySources {
  /** An explicit keys/signing.key file (--signing-key). */
  readonly signingKeyFile?: string;
  /** A locker directory whose key matches (the one the backup was taken of). */
  readonly locker?: string;
}

export interface RestoredBackup {
  readonly target: string;
  readonly manifest: BackupManifest;
}

/**
 * Restores a backup into a fresh locker directory: the backup is verified
 * first, its files are copied (never linked: the restored locker must not
 * share inodes with its backup) into a sibling staging directory, which is
 * renamed into place only once complete.
 */
export async function restoreBackup(
  backupDir: string,
  target: string,
  keys: KeySources,
): Promise<RestoredBackup> {
  const dest = resolve(target);
  refuseNonEmpty(dest);
  const check = await verifyBackup(backupDir);
  if (!check.ok)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `backup ${check.id} does not verify (${check.problems[0]}); run: vigil backup verify ${check.id}`,
    );
  const manifest = readManifest(backupDir);
  const key = signingKeyFor(backupDir, manifest, keys);
  const staging = join(dirname(dest), `.${basename(dest)}.restore-${randomBytes(4).toString("hex")}`);
  try {
    await fill(backupDir, staging, manifest, key);
    if (existsSync(dest)) await rmdir(dest);
    await rename(staging, dest);
    await syncDirs([dirname(dest)]);
  } catch (e) {
    await rm(staging, { recursive: true, force: true });
    throw e instanceof VigilError ? e : fsError(dest, e, "cannot restore into");
  }
  return { target: dest, manifest };
}

export function refuseNonEmpty(dir: string): void {
  if (!existsSync(dir)) return;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw fsError(dir, e, "cannot read");
  }
  if (names.length > 0)
    throw new VigilError("LOCKER_EXISTS", `${dir} is not empty; restore only into a new or empty directory`);
}

async function fill(
  backupDir: string,
  staging: string,
  m: BackupManifest,
  key: string | null,
): Promise<void> {
  await mkdir(staging, { mode: 0o700 });
  await mkdir(join(staging, "keys"), { mode: 0o700 });
  await mkdir(join(staging, "blobs", "sha256"), { recursive: true });
  await mkdir(join(staging, "blobs", "tmp"));
  const dirs: string[] = [staging, join(staging, "keys"), join(staging, "blobs")];
  for (const f of m.files) {
    if (f.path === "keys/signing.key") continue;
    dirs.push(await placeFile(join(backupDir, f.path), join(staging, f.path), false));
  }
  if (key !== null) await writeFile(join(staging, "keys", "signing.key"), key, { mode: 0o600, flag: "wx" });
  await syncDirs(dirs.flatMap((d) => [d, dirname(d)]).filter((d) => d.startsWith(staging)));
}

/**
 * The restored locker's signing key, checked against the backup's verifier
 * key: the backup's own copy, else --signing-key, else the original locker's.
 * A replica's backup needs none.
 */
function signingKeyFor(backupDir: string, m: BackupManifest, keys: KeySources): string | null {
  const config = parseLockerConfig(readFileSync(join(backupDir, "vigil.json"), "utf8"), "backup vigil.json");
  if (config.replicaOf !== undefined) return null;
  const vkey = readFileSync(join(backupDir, "keys", "signing.vkey"), "utf8").trim();
  const candidates = [
    m.includesSigningKey ? join(backupDir, "keys", "signing.key") : null,
    keys.signingKeyFile ?? null,
    keys.locker === undefined ? null : lockerPaths(keys.locker).signingKey,
  ].filter((p): p is string => p !== null && existsSync(p));
  for (const path of candidates) {
    const signer = loadSigner(path);
    if (formatVerifierKey(signer.name, signer.publicKey) === vkey) return readFileSync(path, "utf8");
    if (path === keys.signingKeyFile)
      throw new VigilError("KEY_INVALID", `${path} is not the signing key of the backed-up locker`);
  }
  throw new VigilError(
    "USAGE",
    `backup ${m.id} holds no signing key: pass --signing-key FILE (the locker's keys/signing.key)`,
  );
}
