import { createHash, randomBytes, type Hash } from "node:crypto";
import { constants, createReadStream, createWriteStream } from "node:fs";
import { copyFile, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { VigilError } from "../../errors.js";
import { removedAsLeftover, type StagedFile } from "../blob-store.js";

/**
 * Large contents as files: <dir>/sha256/<aa>/<bb>/<hex>, written to
 * <dir>/tmp first, fsync'd, then renamed, so a file under its digest is
 * always complete.
 */
export class BlobFiles {
  constructor(readonly dir: string) {}

  pathOf(digest: Buffer): string {
    const hex = digest.toString("hex");
    return join(this.dir, "sha256", hex.slice(0, 2), hex.slice(2, 4), hex);
  }

  get tmpDir(): string {
    return join(this.dir, "tmp");
  }

  async stage(source: Readable, prefix: readonly Buffer[] = []): Promise<StagedFile> {
    const tmp = this.tmpPath();
    const hash = createHash("sha256");
    let size = 0;
    try {
      const hasher = hashingPassThrough(hash, (n) => (size += n));
      for (const p of prefix) hasher.write(p);
      await pipeline(
        source,
        hasher,
        createWriteStream(tmp, { flags: "wx", mode: 0o600, highWaterMark: 1 << 20 }),
      );
      await fsyncFile(tmp);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    return this.staged(tmp, hash.digest(), size);
  }

  /**
   * Stages a regular file by kernel copy (copy_file_range), then fsyncs the
   * copy while hashing it from the page cache: the digest is of the bytes
   * stored, and the disk flush overlaps the hashing.
   */
  async stageFile(source: string): Promise<StagedFile> {
    const tmp = this.tmpPath();
    try {
      await copyFile(source, tmp, constants.COPYFILE_EXCL);
      const [{ digest, size }] = await Promise.all([hashFile(tmp), fsyncFile(tmp)]);
      return this.staged(tmp, digest, size);
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
  }

  private tmpPath(): string {
    return join(this.tmpDir, `${Date.now()}-${randomBytes(8).toString("hex")}.part`);
  }

  private staged(tmp: string, digest: Buffer, size: number): StagedFile {
    return {
      digest,
      size,
      commit: async () => {
        const final = this.pathOf(digest);
        const dir = join(final, "..");
        await mkdir(dir, { recursive: true });
        await rename(tmp, final).catch((e: unknown) => {
          if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
          throw removedAsLeftover(digest);
        });
        await fsyncDir(dir);
      },
      discard: () => rm(tmp, { force: true }),
    };
  }

  async exists(digest: Buffer): Promise<boolean> {
    try {
      await stat(this.pathOf(digest));
      return true;
    } catch {
      return false;
    }
  }

  openRead(digest: Buffer): Promise<Readable> {
    const path = this.pathOf(digest);
    return new Promise((resolve, reject) => {
      const s = createReadStream(path, { highWaterMark: 1 << 20 });
      s.once("open", () => resolve(s));
      s.once("error", (e) =>
        reject(
          new VigilError(
            "STORAGE_CORRUPT",
            `contents of sha256:${digest.toString("hex")} are missing (${path})`,
            { cause: e },
          ),
        ),
      );
    });
  }
}

async function hashFile(path: string): Promise<{ digest: Buffer; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: hash.digest(), size };
}

/** Hashes and counts what flows through, in order, exactly once. */
function hashingPassThrough(hash: Hash, count: (n: number) => void): Transform {
  return new Transform({
    highWaterMark: 1 << 20,
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      count(chunk.length);
      cb(null, chunk);
    },
  });
}

/** fsync by path: flushes the file's data whichever descriptor wrote it. */
export async function fsyncFile(path: string): Promise<void> {
  return fsyncDir(path);
}

export async function fsyncDir(dir: string): Promise<void> {
  const fh = await open(dir, constants.O_RDONLY);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
