/**
 * A locker's stored state, whichever backend holds it: what the CLI tests
 * read independently of the CLI and damage behind its back. Both backends
 * have the same tables; statements take `?` parameters. Large contents are a
 * file under blobs/ on SQLite and chunk rows on PostgreSQL.
 */
import { chmodSync, existsSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { blobPath } from "./cli-helpers.js";
import { pgQuerySync, type SqlResult } from "./pg-sync.js";

/** The PostgreSQL database of the locker at `data`, or undefined for an embedded one. */
export function databaseUrlOf(data: string): string | undefined {
  return (JSON.parse(readFileSync(join(data, "vigil.json"), "utf8")) as { databaseUrl?: string }).databaseUrl;
}

/** One statement on the locker's database (closed before returning). */
export function lockerSql(data: string, sql: string, ...params: unknown[]): SqlResult {
  const url = databaseUrlOf(data);
  if (url !== undefined) {
    let n = 0;
    return pgQuerySync(
      url,
      sql.replace(/\?/g, () => `$${++n}`),
      params,
    );
  }
  const db = new Database(join(data, "vigil.db"));
  try {
    const st = db.prepare(sql);
    if (st.reader) return { rows: st.all(...params) as Record<string, unknown>[], changes: 0 };
    return { rows: [], changes: st.run(...params).changes };
  } finally {
    db.close();
  }
}

/** The one column of every row. */
export function column<T>(r: SqlResult): T[] {
  return r.rows.map((row) => Object.values(row)[0] as T);
}

const digestOf = (id: string) => Buffer.from(id.replace(/^sha256:/, ""), "hex");

/** The stored bytes of a large artifact, read straight from storage. */
export function readLargeContents(data: string, id: string): Buffer {
  if (databaseUrlOf(data) === undefined) return readFileSync(blobPath(data, id));
  const chunks = column<Buffer>(
    lockerSql(
      data,
      "SELECT c.data FROM blob_files f JOIN blob_chunks c ON c.stage = f.stage WHERE f.digest = ? ORDER BY c.seq",
      digestOf(id),
    ),
  );
  return Buffer.concat(chunks);
}

/** Replaces a large artifact's stored bytes by `edit`'s (same length: only the first 1 MiB chunk on PostgreSQL). */
export function damageLargeContents(data: string, id: string, edit: (b: Buffer) => Buffer): void {
  if (databaseUrlOf(data) === undefined) {
    const path = blobPath(data, id);
    chmodSync(path, 0o600);
    writeFileSync(path, edit(readFileSync(path)));
    return;
  }
  const where = "stage = (SELECT stage FROM blob_files WHERE digest = ?) AND seq = 0";
  const [first] = column<Buffer>(
    lockerSql(data, `SELECT data FROM blob_chunks WHERE ${where}`, digestOf(id)),
  );
  if (first === undefined) throw new Error(`no stored chunks for ${id}`);
  const changed = lockerSql(
    data,
    `UPDATE blob_chunks SET data = ? WHERE ${where}`,
    edit(first),
    digestOf(id),
  );
  if (changed.changes !== 1) throw new Error(`${id}: ${changed.changes} chunks changed`);
}

/** Removes a large artifact's stored bytes (the file; on PostgreSQL the row naming its chunks). */
export function deleteLargeContents(data: string, id: string): void {
  if (databaseUrlOf(data) === undefined) return unlinkSync(blobPath(data, id));
  if (lockerSql(data, "DELETE FROM blob_files WHERE digest = ?", digestOf(id)).changes !== 1)
    throw new Error(`no stored contents for ${id}`);
}

/**
 * Whether anything may still hold a large artifact's bytes: its file, or on
 * PostgreSQL its chunks' row or any chunk rows no digest names.
 */
export function largeContentsStored(data: string, id: string): boolean {
  if (databaseUrlOf(data) === undefined) return existsSync(blobPath(data, id));
  const [n] = column<number>(
    lockerSql(
      data,
      `SELECT (SELECT count(*) FROM blob_files WHERE digest = ?)
        + (SELECT count(*) FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blob_files f WHERE f.stage = c.stage)) AS n`,
      digestOf(id),
    ),
  );
  return n !== 0;
}
