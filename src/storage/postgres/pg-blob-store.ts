import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import { VigilError } from "../../errors.js";
import type { BlobInfo, BlobStore, StagedFile } from "../blob-store.js";
import { col, type PgDatabase, type Row } from "./pg-database.js";
import { readChunks, removeLeftoverChunks, stageChunks } from "./pg-blob-chunks.js";

const LIST_PAGE = 1000;

/**
 * Contents in PostgreSQL: small ones inline in the contents row committed
 * with their record, large ones as 1 MiB chunk rows staged and committed
 * under their digest before the record that references them (inline = false).
 */
export class PgBlobStore implements BlobStore {
  constructor(private readonly db: PgDatabase) {}

  stage(source: Readable, prefix: readonly Buffer[] = []): Promise<StagedFile> {
    return stageChunks(this.db, source as AsyncIterable<Buffer>, prefix);
  }

  stageFile(path: string): Promise<StagedFile> {
    return this.stage(createReadStream(path, { highWaterMark: 1 << 20 }));
  }

  /** Found through the evidence index, like the SQLite adapter: contents no record references do not exist. */
  async stat(digest: Buffer): Promise<BlobInfo | null> {
    const r = await this.db.one(
      "read contents",
      `SELECT b.digest, b.size, b.data IS NOT NULL AS inline FROM evidence e JOIN blobs b ON b.id = e.leaf_idx
       WHERE e.digest = $1 AND b.digest = $1 LIMIT 1`,
      [digest],
    );
    return r === undefined ? null : toInfo(r);
  }

  async inlineData(digest: Buffer): Promise<Buffer | null> {
    const r = await this.db.one(
      "read contents",
      `SELECT b.data FROM evidence e JOIN blobs b ON b.id = e.leaf_idx
       WHERE e.digest = $1 AND b.digest = $1 AND b.data IS NOT NULL LIMIT 1`,
      [digest],
    );
    return r === undefined ? null : col.buf(r, "data");
  }

  async open(digest: Buffer): Promise<Readable> {
    const hex = digest.toString("hex");
    const r = await this.db.one(
      "read contents",
      `SELECT b.data, f.stage FROM evidence e JOIN blobs b ON b.id = e.leaf_idx
       LEFT JOIN blob_files f ON b.data IS NULL AND f.digest = b.digest WHERE e.digest = $1 AND b.digest = $1 LIMIT 1`,
      [digest],
    );
    if (r === undefined) throw new VigilError("NOT_FOUND", `no contents for sha256:${hex}`);
    const data = r.data as Buffer | null;
    if (data !== null) return Readable.from([data]);
    if (r.stage === null)
      throw new VigilError("STORAGE_CORRUPT", `the contents of sha256:${hex} are missing`);
    return readChunks(this.db, col.num(r, "stage"));
  }

  async *list(): AsyncIterable<BlobInfo> {
    for (let after = -1; ;) {
      const rows = await this.db.rows(
        "list contents",
        "SELECT id, digest, size, data IS NOT NULL AS inline FROM blobs WHERE id > $1 ORDER BY id LIMIT $2",
        [after, LIST_PAGE],
      );
      for (const r of rows) yield toInfo(r);
      if (rows.length < LIST_PAGE) return;
      after = col.num(rows[rows.length - 1], "id");
    }
  }

  async release(digest: Buffer): Promise<void> {
    await this.db.transaction("release contents", async (q) => {
      const { rows } = await q.query(
        `DELETE FROM blob_files f WHERE f.digest = $1 AND NOT EXISTS
           (SELECT 1 FROM evidence e JOIN blobs b ON b.id = e.leaf_idx WHERE e.digest = $1 AND b.digest = $1)
         RETURNING f.stage`,
        [digest],
      );
      for (const r of rows) await q.query("DELETE FROM blob_chunks WHERE stage = $1", [col.num(r, "stage")]);
    });
  }

  removeLeftovers(before: Date): Promise<string[]> {
    return removeLeftoverChunks(this.db, before);
  }

  /** Chunk rows of staging runs that never became a digest's contents (a test's leak check). */
  async orphanChunks(): Promise<number> {
    const r = await this.db.one(
      "count staged chunks",
      "SELECT count(*) AS n FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blob_files f WHERE f.stage = c.stage)",
    );
    return col.num(r, "n");
  }
}

function toInfo(r: Row): BlobInfo {
  return { digest: col.buf(r, "digest"), size: col.num(r, "size"), inline: r.inline === true };
}
