import { readdir, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { VigilError } from "../../errors.js";
import type { BlobInfo, BlobStore, StagedFile } from "../blob-store.js";
import type { BlobFiles } from "../fs/blob-files.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { digestKey } from "./schema.js";

interface BlobRow {
  digest: Buffer;
  size: number;
  inline: number;
}

/** The embedded blob store: small contents inline in SQLite, large ones as files. */
export class SqliteBlobStore implements BlobStore {
  private readonly statStmt: SqliteStatement;
  private readonly dataStmt: SqliteStatement;
  private readonly listStmt: SqliteStatement;
  private readonly referencedStmt: SqliteStatement;

  constructor(
    private readonly db: SqliteDatabase,
    readonly files: BlobFiles,
  ) {
    const byDigest = "FROM evidence e JOIN blobs b ON b.id = e.leaf_idx WHERE e.dkey = ? AND e.digest = ?";
    this.statStmt = db.prepare(`SELECT b.digest, b.size, b.data IS NOT NULL AS inline ${byDigest}`);
    this.dataStmt = db.prepare(`SELECT b.data ${byDigest}`).pluck();
    this.listStmt = db.prepare("SELECT digest, size, data IS NOT NULL AS inline FROM blobs ORDER BY id");
    this.referencedStmt = db.prepare(`SELECT 1 ${byDigest}`).pluck();
  }

  stage(source: Readable, prefix?: readonly Buffer[]): Promise<StagedFile> {
    return this.files.stage(source, prefix);
  }

  stageFile(path: string): Promise<StagedFile> {
    return this.files.stageFile(path);
  }

  stat(digest: Buffer): Promise<BlobInfo | null> {
    const row = this.statStmt.get(digestKey(digest), digest) as BlobRow | undefined;
    return Promise.resolve(row ? toInfo(row) : null);
  }

  /** Inline contents, or null when the blob is a file (or unknown). */
  inlineData(digest: Buffer): Buffer | null {
    return (this.dataStmt.get(digestKey(digest), digest) as Buffer | null | undefined) ?? null;
  }

  async open(digest: Buffer): Promise<Readable> {
    const info = await this.stat(digest);
    if (info === null) throw new VigilError("NOT_FOUND", `no contents for sha256:${digest.toString("hex")}`);
    if (info.inline) return Readable.from([this.inlineData(digest) as Buffer]);
    return this.files.openRead(digest);
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (const row of this.listStmt.iterate() as IterableIterator<BlobRow>) yield toInfo(row);
  }

  async release(digest: Buffer): Promise<void> {
    if (this.referencedStmt.get(digestKey(digest), digest) === undefined)
      await rm(this.files.pathOf(digest), { force: true });
  }

  async removeLeftovers(before: Date): Promise<string[]> {
    const removed: string[] = [];
    // A file gone meanwhile (a staging run committed, a concurrent cleanup) is not old: it is not there.
    const old = async (p: string) =>
      ((await stat(p).catch(() => null))?.mtimeMs ?? Infinity) < before.getTime();
    for (const name of await readdir(this.files.tmpDir).catch(() => [])) {
      const p = join(this.files.tmpDir, name);
      if (await old(p)) {
        await rm(p, { force: true });
        removed.push(p);
      }
    }
    for (const p of await digestFiles(join(this.files.dir, "sha256"))) {
      const digest = Buffer.from(p.slice(-64), "hex");
      if ((await this.stat(digest)) === null && (await old(p))) {
        await rm(p, { force: true });
        removed.push(p);
      }
    }
    return removed;
  }

  /** File blobs (digest, size), for verification workers. */
  fileBlobs(): { digest: Buffer; size: number; state: string | null }[] {
    return this.db
      .prepare(
        `SELECT b.digest, b.size, s.state FROM blobs b LEFT JOIN evidence_state s ON s.evidence_leaf = b.id
         WHERE b.data IS NULL ORDER BY b.id`,
      )
      .all() as { digest: Buffer; size: number; state: string | null }[];
  }

  /** Evidence whose contents row is absent from the blob table. */
  missingForEvidence(): { digest: Buffer; tenant: string }[] {
    return this.db
      .prepare(
        "SELECT e.digest, e.tenant FROM evidence e LEFT JOIN blobs b ON b.id = e.leaf_idx WHERE b.id IS NULL OR b.digest != e.digest",
      )
      .all() as { digest: Buffer; tenant: string }[];
  }
}

function toInfo(row: BlobRow): BlobInfo {
  return { digest: row.digest, size: row.size, inline: row.inline === 1 };
}

/** <dir>/<aa>/<bb>/<hex>: the files stored under a digest. */
async function digestFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const a of await readdir(dir).catch(() => [])) {
    for (const b of await readdir(join(dir, a)).catch(() => [])) {
      for (const f of await readdir(join(dir, a, b)).catch(() => []))
        if (/^[0-9a-f]{64}$/.test(f)) out.push(join(dir, a, b, f));
    }
  }
  return out;
}
