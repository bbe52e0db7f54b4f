import { createHash, randomBytes } from "node:crypto";
import { link, mkdir, open, rename, rm, unlink } from "node:fs/promises";
import { join } from "node:path";
import { fsError, isVigilError } from "../errors.js";

/** A complete, fsync'd, read-only file under a temporary name, not yet published. */
export interface StagedFile {
  readonly tmp: string;
  readonly sha256: string;
  readonly bytes: number;
}

const READ_ONLY = 0o444;

/**
 * Writes `source` to a temporary dot-file in `dir` (the same filesystem as
 * its final name, so publishing is one atomic link or rename), fsyncs it and
 * sets its mode (read-only by default). The name never matches an export, so
 * retention and readers ignore a temporary left behind by a crash.
 */
export async function stageFile(
  dir: string,
  name: string,
  source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  mode = READ_ONLY,
): Promise<StagedFile> {
  const tmp = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const h = createHash("sha256");
  let bytes = 0;
  try {
    const fh = await open(tmp, "wx", 0o600);
    try {
      for await (const chunk of source) {
        h.update(chunk);
        bytes += chunk.length;
        await fh.write(chunk);
      }
      await fh.sync();
      await fh.chmod(mode);
    } finally {
      await fh.close();
    }
  } catch (e) {
    await rm(tmp, { force: true });
    // An error from the source (a damaged journal) is the source's; only I/O errors are about the file.
    throw isVigilError(e) ? e : fsError(join(dir, name), e, "cannot write");
  }
  return { tmp, sha256: h.digest("hex"), bytes };
}

/** Publishes a staged file unless `path` exists (link(2) never replaces); false if it did. */
export async function publishNew(staged: StagedFile, path: string): Promise<boolean> {
  try {
    await link(staged.tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw fsError(path, e, "cannot write");
  } finally {
    await unlink(staged.tmp).catch(() => undefined);
  }
}

/** Publishes a staged file in place of whatever `path` holds (rename(2) is atomic). */
export async function publishReplacing(staged: StagedFile, path: string): Promise<void> {
  try {
    await rename(staged.tmp, path);
  } catch (e) {
    await rm(staged.tmp, { force: true });
    throw fsError(path, e, "cannot write");
  }
}

/** Makes renames and unlinks in `dir` durable (POSIX: fsync the directory). */
export async function syncDir(dir: string): Promise<void> {
  try {
    const fh = await open(dir, "r");
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw fsError(dir, e, "cannot sync");
  }
}

export async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o750 });
  } catch (e) {
    throw fsError(dir, e, "cannot create");
  }
}
