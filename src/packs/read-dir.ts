import { closeSync, constants, fstatSync, openSync, readSync, type Dirent } from "node:fs";
import { opendir } from "node:fs/promises";
import { join } from "node:path";
import { fsError, isVigilError } from "../errors.js";
import type { MemberKind } from "./pack-layout.js";
import { DEFAULT_LIMITS, malformed, PackCollector, type PackFiles, type PackLimits } from "./pack-files.js";

const CHUNK = 1 << 20;

/**
 * Reads a pack directory with the same rules as a tarball: only the layout's
 * names, no symlinks or special files (opened with O_NOFOLLOW, so a link
 * swapped in while reading is refused too), sizes capped.
 */
export async function readPackDir(root: string, limits: PackLimits = DEFAULT_LIMITS): Promise<PackFiles> {
  const collector = new PackCollector(limits, root);
  try {
    await walk(root, "", collector);
  } catch (e) {
    if (isVigilError(e)) throw e;
    throw fsError(root, e, "cannot read");
  }
  return collector.finish();
}

function kindOf(d: Dirent): MemberKind {
  if (d.isFile()) return "file";
  if (d.isDirectory()) return "directory";
  if (d.isSymbolicLink()) return "symlink";
  if (d.isBlockDevice() || d.isCharacterDevice()) return "device";
  if (d.isFIFO()) return "fifo";
  return "other";
}

async function walk(root: string, rel: string, collector: PackCollector): Promise<void> {
  for await (const d of await opendir(join(root, rel))) {
    const name = rel === "" ? d.name : `${rel}/${d.name}`;
    const kind = kindOf(d);
    if (kind === "file") await readFile(join(root, name), name, collector);
    else {
      // Refuses anything but the layout's own directories before descending.
      collector.member(name, kind, 0);
      await walk(root, name, collector);
    }
  }
}

/**
 * Synchronous reads on purpose: a pack holds tens of thousands of small files,
 * and four thread-pool round trips per file (open, stat, read, close) cost
 * more than the reading itself.
 */
async function readFile(path: string, name: string, collector: PackCollector): Promise<void> {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ELOOP")
      throw malformed(collector.where, `member ${JSON.stringify(name)}: symlink`);
    throw e;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw malformed(collector.where, `member ${JSON.stringify(name)}: not a regular file`);
    const sink = collector.member(name, "file", st.size);
    if (sink === null) return;
    // One read for a small file (the buffer has room for one byte more than its size, to see the end).
    const buf = Buffer.allocUnsafe(Math.min(CHUNK, st.size + 1));
    let first = true;
    for (;;) {
      const bytesRead = readSync(fd, buf, 0, buf.length, null);
      if (first && bytesRead < buf.length) return sink.whole(buf.subarray(0, bytesRead));
      first = false;
      if (bytesRead === 0) break;
      sink.write(buf.subarray(0, bytesRead));
    }
    sink.end();
  } finally {
    closeSync(fd);
  }
  return Promise.resolve();
}
