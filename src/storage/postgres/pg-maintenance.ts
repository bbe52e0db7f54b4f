import type { JournalRecord } from "../../journal/index.js";
import type { IndexMaintenance, IndexStatus, RebuildResult, StorageFootprint } from "../index-maintenance.js";
import type { IndexOp } from "../index-ops.js";
import type { Projector } from "../log-store.js";
import type { PgQueryable } from "./driver.js";
import { col, type PgDatabase } from "./pg-database.js";
import { applyIndexOps, setIndexPosition } from "./pg-index-writer.js";
import { APPEND_LOCK, PROJECTION_TABLES } from "./pg-schema.js";
import { pgStateHash } from "./pg-state-hash.js";

const REPLAY_CHUNK = 20_000;

/** Index status and rebuild by replay on PostgreSQL; the database's size and a quick check. */
export class PgMaintenance implements IndexMaintenance {
  constructor(private readonly db: PgDatabase) {}

  async status(): Promise<IndexStatus> {
    const r = await this.db.one(
      "read index status",
      `SELECT (SELECT coalesce(max(idx) + 1, 0) FROM entries) AS size,
        (SELECT value FROM meta WHERE key = 'index_position') AS position,
        (SELECT count(*) FROM evidence) AS evidence`,
    );
    const journalSize = col.num(r, "size");
    const position = r?.position === null || r?.position === undefined ? 0 : Number(r.position);
    return { journalSize, position, lag: journalSize - position, rows: { evidence: col.num(r, "evidence") } };
  }

  stateHash(): Promise<string> {
    return this.db.withClient("index state hash", pgStateHash);
  }

  /**
   * Replays the whole journal into emptied projection tables in one
   * transaction holding the append lock: readers keep seeing the old index
   * until the commit (MVCC), appends wait, nothing is half-rebuilt.
   */
  async rebuild(
    decode: (bytes: Buffer) => JournalRecord,
    project: Projector,
    onProgress?: (n: number) => void,
  ): Promise<RebuildResult> {
    const started = process.hrtime.bigint();
    const records = await this.db.transaction("index rebuild", async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      for (const t of PROJECTION_TABLES) await q.query(`DELETE FROM ${t}`);
      const n = await replay(q, decode, project, onProgress);
      await setIndexPosition(q, n);
      return n;
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { records, stateHash: await this.stateHash(), seconds };
  }

  async footprint(): Promise<StorageFootprint> {
    const r = await this.db.one(
      "read database size",
      `SELECT pg_database_size(current_database()) AS bytes, current_setting('server_version') AS version,
        (SELECT count(*) FROM nodes) AS nodes`,
    );
    return {
      database: { engine: "postgres", bytes: col.num(r, "bytes"), version: col.str(r, "version") },
      storedNodes: col.num(r, "nodes"),
    };
  }

  /**
   * PostgreSQL keeps its own structures consistent (WAL, page checksums);
   * this checks what vigil relies on across its rows: the journal has no
   * missing index, and every chunked contents row has its chunks.
   */
  async quickCheck(): Promise<string[]> {
    const r = await this.db.one(
      "check the database",
      `SELECT (SELECT coalesce(max(idx) + 1, 0) - count(*) FROM entries) AS missing,
        (SELECT count(*) FROM blobs b WHERE b.data IS NULL
          AND NOT EXISTS (SELECT 1 FROM blob_files f WHERE f.digest = b.digest)) AS unchunked`,
    );
    const problems: string[] = [];
    const missing = col.num(r, "missing");
    const unchunked = col.num(r, "unchunked");
    if (missing > 0) problems.push(`${missing} journal entries are missing below the latest`);
    if (unchunked > 0) problems.push(`${unchunked} large contents have no stored chunks`);
    return problems;
  }
}

async function replay(
  q: PgQueryable,
  decode: (bytes: Buffer) => JournalRecord,
  project: Projector,
  onProgress?: (n: number) => void,
): Promise<number> {
  for (let records = 0; ;) {
    const { rows } = await q.query(
      "SELECT idx, body FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
      [records, records + REPLAY_CHUNK],
    );
    if (rows.length === 0) return records;
    const ops: IndexOp[] = [];
    for (const r of rows) {
      const body = col.buf(r, "body");
      ops.push(...project(decode(body), col.num(r, "idx"), body));
    }
    await applyIndexOps(q, ops);
    records += rows.length;
    onProgress?.(records);
  }
}
