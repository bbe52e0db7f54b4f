import { constants } from "node:fs";
import { open, realpath, type FileHandle } from "node:fs/promises";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

import type { FileRead, TileSource } from "./tile-source.js";

/**
 * Read-only access to an untrusted tlog-tiles directory. Paths are ones we
 * build from the spec; a file that resolves outside the directory (through a
 * symlink), is not a regular file, or exceeds its size cap is refused. The
 * final component is opened with O_NOFOLLOW so it cannot be swapped for a
 * symlink after the check.
 */
export class TileDir implements TileSource {
  private constructor(private readonly root: string) {}

  static async open(dir: string): Promise<TileDir> {
    const root = await realpath(dir).catch(() => resolve(dir));
    return new TileDir(root);
  }

  async read(path: string, maxBytes: number): Promise<FileRead> {
    let real: string;
    try {
      real = await realpath(join(this.root, path));
    } catch (e) {
      return { problem: errorCode(e) === "ENOENT" ? "missing" : `unreadable (${errorCode(e)})` };
    }
    const inside = relative(this.root, real);
    if (inside === "" || inside.startsWith(`..${sep}`) || inside === ".." || isAbsolute(inside)) {
      return { problem: "resolves outside the directory (symlink)" };
    }
    return readCapped(real, maxBytes);
  }
}

async function readCapped(path: string, maxBytes: number): Promise<FileRead> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0));
  } catch (e) {
    return { problem: `unreadable (${errorCode(e)})` };
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return { problem: "not a regular file" };
    if (st.size > maxBytes) return { problem: `is ${st.size} bytes, more than the ${maxBytes} allowed` };
    // Room for one byte more than stat saw: a file that grew since is refused, not cut short.
    const buf = Buffer.alloc(st.size + 1);
    const got = await readFully(fh, buf);
    if (got !== st.size) return { problem: "changed while being read" };
    return { bytes: buf.subarray(0, got) };
  } catch (e) {
    return { problem: `unreadable (${errorCode(e)})` };
  } finally {
    await fh.close();
  }
}

async function readFully(fh: FileHandle, buf: Buffer): Promise<number> {
  let got = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, got, buf.length - got);
    if (bytesRead === 0) return got;
    got += bytesRead;
    if (got === buf.length) return got;
  }
}

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === "string" ? code : "error";
}
