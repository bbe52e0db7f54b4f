import { closeSync, constants, fstatSync, openSync, readdirSync, readSync, type Dirent } from "node:fs";
import { join } from "node:path";
import { fsError, isVigilError } from "../errors.js";
import type { BatchHasher } from "./batch-hasher.js";
import type { MemberKind } from "./pack-layout.js";
import { DEFAULT_LIMITS, malformed, PackCollector, type PackFiles, type PackLimits } from "./pack-files.js";

const CHUNK = 1 << 20;

/**
 * Reads a pack directory with the same rules as a tarball: only the layout's
 * names, no symlinks or special files (opened with O_NOFOLLOW, so a link
 * swapped in while reading is refused too), sizes capped.
 */
export function readPackDir(
  root: string,
  limits: PackLimits = DEFAULT_LIMITS,
  hasher: BatchHasher | null = null,
): Promise<PackFiles> {
  // A failure is a rejection, as from any reader.
  return new Promise((resolve) => resolve(collect(root, limits, hasher)));
}

function collect(root: string, limits: PackLimits, hasher: BatchHasher | null): Promise<PackFiles> {
  const collector = new PackCollector(limits, root, hasher);
  try {
    walk(root, "", collector, Buffer.allocUnsafe(CHUNK));
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

/**
 * Synchronous on purpose, listing included: a pack holds tens of thousands
 * of small files, and a thread-pool round trip or a promise per file (open,
 * stat, read, close) costs more than the reading itself.
 */
function walk(root: string, rel: string, collector: PackCollector, scratch: Buffer): void {
  const dir = join(root, rel);
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const name = rel === "" ? d.name : `${rel}/${d.name}`;
    const kind = kindOf(d);
    // d.name is one component (no separator): no need for join's normalising per file.
    if (kind === "file") readFile(`${dir}/${d.name}`, name, collector, scratch);
    else {
      // Refuses anything but the layout's own directories before descending.
      collector.member(name, kind, 0);
      walk(root, name, collector, scratch);
    }
  }
}

/** One file through the collector; `scratch` is reused for every read (the collector copies what it keeps). */
function readFile(path: string, name: string, collector: PackCollector, scratch: Buffer): void {
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
    // One read for a small file (room for one byte more than its size, to see the end).
    const want = Math.min(scratch.length, st.size + 1);
    let first = true;
    for (;;) {
      const bytesRead = readSync(fd, scratch, 0, first ? want : scratch.length, null);
      if (first && bytesRead < want) return sink.whole(scratch.subarray(0, bytesRead));
      first = false;
      if (bytesRead === 0) break;
      sink.write(scratch.subarray(0, bytesRead));
    }
    sink.end();
  } finally {
    closeSync(fd);
  }
}
