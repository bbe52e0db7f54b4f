import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/**
 * Writes the files of a tlog-tiles directory, each to a temporary name beside
 * it and then renamed, so a reader never sees a half-written tile. Files are
 * not fsync'd: the layout is a view that can be exported again after a crash.
 */
export class TileWriter {
  private written = 0;
  private readonly dirsMade = new Set<string>();

  constructor(
    private readonly root: string,
    private readonly total: number,
    private readonly onProgress?: (done: number, total: number) => void,
  ) {}

  get count(): number {
    return this.written;
  }

  /** Write `bytes` at `relative` (a path we built from the spec, never from input). */
  async write(relative: string, bytes: Uint8Array): Promise<void> {
    const final = join(this.root, relative);
    await this.ensureDir(dirname(final));
    const tmp = join(dirname(final), `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
    try {
      await writeFile(tmp, bytes, { flag: "wx", mode: 0o644 });
      await rename(tmp, final);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    this.written++;
    this.onProgress?.(this.written, this.total);
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.dirsMade.has(dir)) return;
    await mkdir(dir, { recursive: true });
    this.dirsMade.add(dir);
  }
}
