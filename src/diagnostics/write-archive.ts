import { chmod, mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { create } from "tar";
import { publishReplacing, stageFile, syncDir } from "../audit/atomic-file.js";
import { fsError } from "../errors.js";
import type { DiagnosticsFile } from "./collect-diagnostics.js";

/** Every file sits under this directory in the archive (no tarbomb). */
export const ARCHIVE_DIR = "vigil-diagnostics";

export interface ArchiveResult {
  readonly file: string;
  readonly bytes: number;
  readonly entries: readonly string[];
}

/**
 * Writes the files as a gzipped tar: portable headers (no uid, gid, user
 * or host names), one fixed mtime, entries in name order and fixed modes,
 * so equal inputs give an equal archive. Written to a temporary name,
 * fsync'd and renamed into place.
 */
export async function writeDiagnosticsArchive(
  file: string,
  files: readonly DiagnosticsFile[],
  mtime: Date,
): Promise<ArchiveResult> {
  const dir = dirname(file);
  const staging = await makeStaging(dir, basename(file));
  try {
    const entries = await stageEntries(staging, files);
    const pack = create({ gzip: true, portable: true, mtime, cwd: staging, noDirRecurse: true }, entries);
    const staged = await stageFile(dir, basename(file), pack, 0o600);
    await publishReplacing(staged, file);
    await syncDir(dir);
    return { file, bytes: staged.bytes, entries };
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function makeStaging(dir: string, name: string): Promise<string> {
  try {
    return await mkdtemp(join(dir, `.${name}.staging-`));
  } catch (e) {
    throw fsError(dir, e, "cannot write in");
  }
}

/** Writes the files under staging/ARCHIVE_DIR; returns their archive paths, sorted. */
async function stageEntries(staging: string, files: readonly DiagnosticsFile[]): Promise<string[]> {
  await mkdir(join(staging, ARCHIVE_DIR));
  const entries: string[] = [];
  for (const f of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = `${ARCHIVE_DIR}/${f.name}`;
    await writeFile(join(staging, path), f.content, { flag: "wx" });
    await chmod(join(staging, path), 0o644);
    entries.push(path);
  }
  return entries;
}
