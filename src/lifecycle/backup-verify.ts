import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseVerifierKey, type Verifier } from "../journal/index.js";
import { openLockerView, type LockerView } from "../app/vigil.js";
import { checkAnchor } from "../log/anchors.js";
import { readManifest, summary, type BackupSummary } from "./backup-catalog.js";
import { blobFilePath, type BackupFile, type BackupManifest } from "./backup-manifest.js";
import { sha256File } from "./files.js";

export interface BackupCheck extends BackupSummary {
  readonly ok: boolean;
  readonly problems: string[];
}

/**
 * Checks a backup on its own: every file against the manifest's size and
 * SHA-256, then the copied database: its size and latest anchor are the
 * manifest's, the anchor's signature verifies, its root equals the root
 * recomputed from the copy's nodes, and every file blob it references is in
 * the backup. `trustedKey` (the live locker's verifier key, when there is
 * one) is preferred to the key inside the backup.
 */
export async function verifyBackup(dir: string, trustedKey?: string): Promise<BackupCheck> {
  const m = readManifest(dir);
  const problems: string[] = [];
  for (const f of m.files) await checkFile(dir, f, problems);
  const verifier = loadVerifier(dir, trustedKey, problems);
  let view: LockerView | null = null;
  try {
    view = openLockerView(join(dir, "vigil.db"), join(dir, "blobs"));
    await checkCopy(view, m, verifier, problems);
  } catch (e) {
    problems.push(`the copied database cannot be read: ${(e as Error).message}`);
  } finally {
    await view?.close();
  }
  return { ...summary(dir, m), ok: problems.length === 0, problems };
}

async function checkFile(dir: string, f: BackupFile, problems: string[]): Promise<void> {
  const path = join(dir, f.path);
  if (!existsSync(path)) return void problems.push(`${f.path} is missing`);
  try {
    const got = await sha256File(path);
    if (got.size !== f.size) problems.push(`${f.path} is ${got.size} bytes, the manifest says ${f.size}`);
    else if (got.sha256 !== f.sha256) problems.push(`${f.path} does not match its SHA-256 in the manifest`);
  } catch (e) {
    problems.push(`${f.path} cannot be read: ${(e as Error).message}`);
  }
}

function loadVerifier(dir: string, trustedKey: string | undefined, problems: string[]): Verifier | null {
  const path = join(dir, "keys", "signing.vkey");
  try {
    const own = existsSync(path) ? readFileSync(path, "utf8").trim() : null;
    if (trustedKey !== undefined && own !== null && own !== trustedKey.trim())
      problems.push("keys/signing.vkey is not the locker's verifier key");
    const text = trustedKey ?? own;
    if (text !== null) return parseVerifierKey(text);
    problems.push("keys/signing.vkey is missing");
    return null;
  } catch (e) {
    problems.push(`verifier key: ${(e as Error).message}`);
    return null;
  }
}

async function checkCopy(
  view: LockerView,
  m: BackupManifest,
  verifier: Verifier | null,
  problems: string[],
): Promise<void> {
  const size = await view.log.size();
  if (size !== m.journalSize)
    problems.push(`the copy holds ${size} journal entries, the manifest says ${m.journalSize}`);
  const latest = await view.log.latestCheckpoint();
  const want = m.anchor;
  if (
    (latest === null) !== (want === null) ||
    (latest !== null && want !== null && !sameAnchor(latest, want))
  )
    problems.push("the copy's latest anchor is not the one the manifest names");
  if (latest !== null && verifier !== null) {
    const check = await checkAnchor({ log: view.log, verifier, origin: verifier.name }, latest, null);
    for (const p of check.problems) problems.push(`anchor ${latest.seq}: ${p}`);
  }
  const listed = new Set(m.files.map((f) => f.path));
  for (const b of view.blobs.fileBlobs()) {
    const path = blobFilePath(b.digest.toString("hex"));
    if (!listed.has(path)) problems.push(`${path} is referenced by the copy but not in the backup`);
  }
}

function sameAnchor(a: { seq: number; size: number; root: Buffer }, b: BackupManifest["anchor"]): boolean {
  return b !== null && a.seq === b.seq && a.size === b.size && a.root.toString("base64") === b.root;
}
