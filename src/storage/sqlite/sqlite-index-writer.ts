import { createHash } from "node:crypto";
import type { EvidenceRow, IndexOp } from "../index-ops.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";

/** Applies projection writes to the SQLite index tables. */
export class SqliteIndexWriter {
  private readonly put: SqliteStatement;
  private readonly pos: SqliteStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.put = db.prepare(
      `INSERT OR REPLACE INTO evidence (digest, leaf_idx, domain, subdomain, name, date, kind, retention, producer,
        size, path, labels, parents, added_at, meta_hash) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
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

  private putEvidence(r: EvidenceRow): void {
    this.put.run(
      r.digest,
      r.leafIndex,
      r.domain,
      r.subdomain,
      r.name,
      r.date,
      r.kind,
      r.retention,
      r.producer,
      r.size,
      r.path,
      JSON.stringify(r.labels),
      JSON.stringify(r.parents.map((p) => p.toString("hex"))),
      r.addedAt,
      r.metaHash,
    );
  }

  /** Empties every projection table (rebuild starts from nothing). */
  clear(): void {
    this.db.exec("DELETE FROM evidence");
  }

  /**
   * SHA-256 over every projection row in primary-key order: identical on every
   * replay of the same journal.
   */
  stateHash(): string {
    const h = createHash("sha256");
    const rows = this.db
      .prepare(
        `SELECT digest, leaf_idx, domain, subdomain, name, date, kind, retention, producer, size, path, labels,
          parents, added_at, meta_hash FROM evidence ORDER BY digest`,
      )
      .raw()
      .iterate() as IterableIterator<unknown[]>;
    for (const row of rows) {
      h.update(JSON.stringify(row.map((v) => (Buffer.isBuffer(v) ? v.toString("hex") : v))));
      h.update("\n");
    }
    return h.digest("hex");
  }
}
