import { createHash } from "node:crypto";
import type { EvidenceIndexRow, IndexOp } from "../index-ops.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { digestKey, DROP_PROJECTION_INDEXES, PROJECTION_INDEXES, PROJECTION_TABLES } from "./schema.js";

/** Applies projection writes to the SQLite index tables. */
export class SqliteIndexWriter {
  private readonly put: SqliteStatement;
  private readonly pos: SqliteStatement;
  private readonly s: Record<
    "holdPut" | "holdDelete" | "statePut" | "stateDelete" | "tokenPut" | "tokenRevoke",
    SqliteStatement
  >;

  constructor(private readonly db: SqliteDatabase) {
    this.put = db.prepare(
      `INSERT INTO evidence (leaf_idx, digest, dkey, tenant, domain, subdomain, kind, date, size, retention, meta_hash)
        VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
    );
    this.pos = db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('index_position', ?)");
    this.s = {
      holdPut: db.prepare(
        "INSERT OR REPLACE INTO holds (evidence_leaf, reason, at, record_leaf) VALUES (?, ?, ?, ?)",
      ),
      holdDelete: db.prepare("DELETE FROM holds WHERE evidence_leaf = ?"),
      statePut: db.prepare(
        "INSERT OR REPLACE INTO evidence_state (evidence_leaf, state, reason, at, record_leaf) VALUES (?, ?, ?, ?, ?)",
      ),
      stateDelete: db.prepare("DELETE FROM evidence_state WHERE evidence_leaf = ?"),
      tokenPut: db.prepare(
        `INSERT INTO tokens (id, secret_hash, name, role, tenant, created_at, expires_at, record_leaf)
          VALUES (?,?,?,?,?,?,?,?)`,
      ),
      tokenRevoke: db.prepare("UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL"),
    };
  }

  /** Records how many journal entries the index reflects. */
  setPosition(size: number): void {
    this.pos.run(String(size));
  }

  apply(op: IndexOp): void {
    switch (op.op) {
      case "evidence.put":
        return this.putEvidence(op.row);
      case "hold.put":
        return void this.s.holdPut.run(op.fact.evidenceLeaf, op.fact.reason, op.fact.at, op.fact.recordLeaf);
      case "hold.delete":
        return void this.s.holdDelete.run(op.evidenceLeaf);
      case "state.put":
        return void this.s.statePut.run(
          op.fact.evidenceLeaf,
          op.state,
          op.fact.reason,
          op.fact.at,
          op.fact.recordLeaf,
        );
      case "state.delete":
        return void this.s.stateDelete.run(op.evidenceLeaf);
      case "token.put": {
        const t = op.token;
        return void this.s.tokenPut.run(
          t.id,
          t.secretHash,
          t.name,
          t.role,
          t.tenant,
          t.createdAt,
          t.expiresAt,
          t.recordLeaf,
        );
      }
      case "token.revoke":
        return void this.s.tokenRevoke.run(op.at, op.id);
    }
  }

  private putEvidence(r: EvidenceIndexRow): void {
    this.put.run(
      r.leafIndex,
      r.digest,
      digestKey(r.digest),
      r.tenant,
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
    // Every projection table, rows in key order (first column); each value as text (blobs as
    // hex), unit-separated; rows newline-separated; tables introduced by their name.
    for (const table of PROJECTION_TABLES) {
      h.update(`${table}\n`);
      const rows = this.db.prepare(`SELECT * FROM ${table} ORDER BY 1`).raw().iterate() as IterableIterator<
        unknown[]
      >;
      for (const row of rows) {
        for (const v of row) h.update(Buffer.isBuffer(v) ? v.toString("hex") : String(v)).update("\u001f");
        h.update("\n");
      }
    }
    return h.digest("hex");
  }
}
