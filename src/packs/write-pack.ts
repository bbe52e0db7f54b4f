import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { create } from "tar";
import { fsError, isVigilError, VigilError } from "../errors.js";
import type { BlobStore } from "../storage/blob-store.js";
import { PACK_DIRS, SUMS } from "./pack-layout.js";
import type { PackPlan } from "./plan-pack.js";
import { stagePack, syncAll, syncPath } from "./stage-pack.js";

export interface WrittenPack {
  readonly output: string;
  readonly format: "tar.gz" | "tar" | "dir";
  readonly files: number;
  readonly bytes: number;
  /** SHA-256 of the .tar.gz, to publish alongside it; null for a directory. */
  readonly sha256: string | null;
}

/** gzip level 9 always: the same input gives the same bytes (with the same zlib). */
const GZIP_LEVEL = 9;

export function isTarballName(path: string): boolean {
  return /\.(tar\.gz|tgz|tar)$/i.test(path);
}

/** A plain .tar (an archive for long-term storage) is written uncompressed. */
export function isPlainTar(path: string): boolean {
  return /\.tar$/i.test(path);
}

/**
 * Writes the pack atomically: the files are built in a hidden sibling
 * directory, which is renamed into place (DIR) or archived to a temporary
 * name that is renamed into place (.tar.gz). Deterministic: sorted entries,
 * mode 0644, the checkpoint's time as every mtime, no owner names, fixed gzip.
 */
export async function writePack(
  plan: PackPlan,
  blobs: Pick<BlobStore, "open">,
  output: string,
): Promise<WrittenPack> {
  const target = resolve(output);
  const tarball = isTarballName(target);
  if (!tarball) await refuseExisting(target);
  const staging = join(dirname(target), `.${basename(target)}.vigil-part-${randomBytes(4).toString("hex")}`);
  try {
    const lines = await stagePack(plan, blobs, staging);
    const paths = [...lines.map((l) => l.path), SUMS];
    const bytes = lines.reduce((n, l) => n + l.size, 0);
    const files = paths.length;
    if (!tarball) {
      // Durable before it becomes visible: every file, the directories, then the rename.
      await syncAll([...paths, ...PACK_DIRS, ""].map((p) => join(staging, p)));
      await rename(staging, target);
      await syncPath(dirname(target));
      return { output: target, format: "dir", files, bytes, sha256: null };
    }
    const sha256 = await archive(staging, paths, plan.mtime, target);
    return { output: target, format: isPlainTar(target) ? "tar" : "tar.gz", files, bytes, sha256 };
  } catch (e) {
    if (isVigilError(e)) throw e;
    throw fsError(output, e, "cannot write");
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function refuseExisting(target: string): Promise<void> {
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists) throw new VigilError("CONFLICT", `${target} already exists; a pack directory must be new`);
}

/** Archives the staged files (sorted) to a temporary name, renamed onto `target`; returns its SHA-256. */
async function archive(
  staging: string,
  paths: readonly string[],
  mtime: Date,
  target: string,
): Promise<string> {
  const tmp = `${target}.vigil-part-${randomBytes(4).toString("hex")}`;
  try {
    const sorted = [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const gzip = isPlainTar(target) ? false : { level: GZIP_LEVEL };
    await create({ file: tmp, cwd: staging, gzip, portable: true, mtime }, sorted);
    await syncPath(tmp);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(tmp)) hash.update(chunk as Buffer);
    await rename(tmp, target);
    await syncPath(dirname(target));
    return hash.digest("hex");
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
