import { createHash } from "node:crypto";
import type { EvidenceIndexRow, IndexOp } from "../index-ops.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { digestKey, DROP_PROJECTION_INDEXES, PROJECTION_INDEXES, PROJECTION_TABLES } from "./schema.js";

/** Applies projection writes to the SQLite index tables. */
export class SqliteIndexWriter {
  private readonly put: SqliteStatement;
  private readonly pos: SqliteStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.put = db.prepare(
      `INSERT INTO evidence (leaf_idx, digest, dkey, domain, subdomain, kind, date, size, retention, meta_hash)
        VALUES (?,?,?,?,?,?,?,?,?,?)`,
    );
    this.pos = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('index_position', ?)");
  }

  /** Records how many journal entries the index reflects. */
  setPosition(size: number): void {
    this.pos.run(String(size));
  }

  apply(op: IndexOp): void {
    switch (op.op) {
      case "evidence.put":
        this.putEvidence(op.row);
        return;
    }
  }

  private putEvidence(r: EvidenceIndexRow): void {
    this.put.run(
      r.leafIndex,
      r.digest,
      digestKey(r.digest),
      r.domain,
      r.subdomain,
      r.kind,
      r.date,
      r.size,
      r.retention,
      r.metaHash,
    );
  }

  /** Empties every projection table and drops its indexes (rebuild starts from nothing). */
  clear(): void {
    this.db.exec(DROP_PROJECTION_INDEXES);
    for (const t of PROJECTION_TABLES) this.db.exec(`DELETE FROM ${t}`);
  }

  /** Builds the projection indexes over the replayed rows. */
  index(): void {
    this.db.exec(PROJECTION_INDEXES);
  }

  /**
   * SHA-256 over every projection row in primary-key order: identical on every
   * replay of the same journal.
   */
  stateHash(): string {
    const h = createHash("sha256");
    const rows = this.db
      .prepare(
        "SELECT leaf_idx, digest, domain, subdomain, kind, date, size, retention, meta_hash FROM evidence ORDER BY leaf_idx",
      )
      .raw()
      .iterate() as IterableIterator<unknown[]>;
    // Each value as text (blobs as hex), unit-separated; rows newline-separated.
    for (const row of rows) {
      for (const v of row) h.update(Buffer.isBuffer(v) ? v.toString("hex") : String(v)).update("\u001f");
      h.update("\n");
    }
    return h.digest("hex");
  }
}
