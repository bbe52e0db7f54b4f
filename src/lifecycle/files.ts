import { createHash } from "node:crypto";
import { constants, createReadStream, existsSync, readdirSync } from "node:fs";
import { copyFile, link, mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { fsError, VigilError } from "../errors.js";
import { fsyncDir, fsyncFile } from "../storage/fs/blob-files.js";

/** Errors from link(2) that mean "this filesystem cannot link here": fall back to a copy. */
const NO_LINK = new Set(["EXDEV", "EPERM", "ENOTSUP", "EOPNOTSUPP", "EMLINK"]);

/**
 * Puts `src` at `dst`: a hard link when asked and the filesystem allows it
 * (blobs are immutable, so a link is as good as a copy and costs nothing),
 * else a copy (a reflink where the filesystem has them). Returns the new
 * directory entries' parent so the caller can fsync it once.
 */
export async function placeFile(src: string, dst: string, linkFirst: boolean): Promise<string> {
  const dir = dirname(dst);
  await mkdir(dir, { recursive: true });
  try {
    if (linkFirst) {
      try {
        await link(src, dst);
        return dir;
      } catch (e) {
        if (!NO_LINK.has((e as NodeJS.ErrnoException).code ?? "")) throw e;
      }
    }
    await copyFile(src, dst, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    await fsyncFile(dst);
    return dir;
  } catch (e) {
    throw fsError(src, e, "cannot copy");
  }
}

export async function sha256File(path: string): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
      hash.update(chunk as Buffer);
      size += (chunk as Buffer).length;
    }
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
  return { sha256: hash.digest("hex"), size };
}

/** Writes a small file durably: temporary name, fsync, rename, fsync of the directory. */
export async function writeDurable(path: string, text: string, mode = 0o644): Promise<void> {
  const tmp = `${path}.part`;
  try {
    await writeFile(tmp, text, { mode, flag: "w" });
    await fsyncFile(tmp);
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (e) {
    await rm(tmp, { force: true });
    throw fsError(path, e, "cannot write");
  }
}

/** fsyncs each directory once (new entries are durable only once their directory is). */
export async function syncDirs(dirs: Iterable<string>): Promise<void> {
  for (const d of new Set(dirs)) await fsyncDir(d);
}

/** A directory to fill from nothing: created if missing, refused if it has anything in it. */
export async function requireEmptyDir(dir: string, what: string): Promise<void> {
  if (existsSync(dir)) {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch (e) {
      throw fsError(dir, e, "cannot read");
    }
    if (names.length > 0)
      throw new VigilError("CONFLICT", `${what} ${dir} is not empty; refusing to write into it`);
    return;
  }
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw fsError(dir, e, "cannot create");
  }
}

/** Unlinks files, ignoring those already gone; returns how many it removed. */
export async function unlinkAll(paths: Iterable<string>): Promise<number> {
  let n = 0;
  for (const p of paths) {
    try {
      await rm(p);
      n++;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw fsError(p, e, "cannot remove");
    }
  }
  return n;
}
