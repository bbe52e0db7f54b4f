import { statSync } from "node:fs";
import { VigilError } from "../../errors.js";
import type { JournalRecord } from "../../journal/index.js";
import type { Projector } from "../log-store.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";

const REPLAY_CHUNK = 20000;
import { SqliteIndexWriter } from "./sqlite-index-writer.js";
import type { SqliteLogStore } from "./sqlite-log-store.js";
import { mapSqliteError } from "./sqlite-errors.js";
import type { IndexMaintenance, IndexStatus, RebuildResult, StorageFootprint } from "../index-maintenance.js";

export type { IndexStatus, RebuildResult };

/** Index status, rebuild by replay, optimize; database integrity checks. */
export class SqliteMaintenance implements IndexMaintenance {
  private readonly writer: SqliteIndexWriter;
  private readonly readChunk: SqliteStatement;

  constructor(
    private readonly db: SqliteDatabase,
    private readonly log: SqliteLogStore,
    /** vigil.db's path: its size and its -wal file's. */
    private readonly path: string,
  ) {
    this.writer = new SqliteIndexWriter(db);
    this.readChunk = db
      .prepare("SELECT idx, body FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx")
      .raw();
  }

  async status(): Promise<IndexStatus> {
    const journalSize = await this.log.size();
    const pos = this.db.prepare("SELECT value FROM meta WHERE key = 'index_position'").pluck().get() as
      string | undefined;
    const position = pos === undefined ? 0 : Number(pos);
    const evidence = this.db.prepare("SELECT count(*) FROM evidence").pluck().get() as number;
    return { journalSize, position, lag: journalSize - position, rows: { evidence } };
  }

  stateHash(): string {
    return this.writer.stateHash();
  }

  /**
   * Replays the whole journal into empty projection tables inside one
   * transaction: readers see the old index or the new one, never a half.
   */
  rebuild(
    decode: (bytes: Buffer) => JournalRecord,
    project: Projector,
    onProgress?: (n: number) => void,
  ): RebuildResult {
    const started = process.hrtime.bigint();
    let records = 0;
    try {
      this.db
        .transaction(() => {
          this.writer.clear();
          // better-sqlite3 cannot write while a cursor is open: replay in chunks.
          for (;;) {
            const chunk = this.readChunk.all(records, records + REPLAY_CHUNK) as [number, Buffer][];
            if (chunk.length === 0) break;
            for (const [index, body] of chunk) {
              for (const op of project(decode(body), index, body)) this.writer.apply(op);
            }
            records += chunk.length;
            onProgress?.(records);
          }
          this.writer.index();
          this.writer.setPosition(records);
        })
        .immediate();
    } catch (e) {
      throw e instanceof VigilError ? e : mapSqliteError(e, "index rebuild");
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { records, stateHash: this.writer.stateHash(), seconds };
  }

  optimize(): void {
    this.db.exec("ANALYZE; PRAGMA optimize; VACUUM;");
    this.db.pragma("wal_checkpoint(TRUNCATE)");
  }

  /** SQLite's own structural check: "ok" or the first problems it found. */
  integrityCheck(quick: boolean): string[] {
    const rows = this.db.pragma(quick ? "quick_check(20)" : "integrity_check(20)") as {
      quick_check?: string;
      integrity_check?: string;
    }[];
    return rows.map((r) => r.quick_check ?? r.integrity_check ?? "").filter((s) => s !== "ok");
  }

  quickCheck(): Promise<string[]> {
    return Promise.resolve(this.integrityCheck(true));
  }

  footprint(): Promise<StorageFootprint> {
    const database = {
      engine: "sqlite" as const,
      bytes: fileSize(this.path),
      walBytes: fileSize(`${this.path}-wal`),
      pageSize: this.db.pragma("page_size", { simple: true }) as number,
      pages: this.db.pragma("page_count", { simple: true }) as number,
      freePages: this.db.pragma("freelist_count", { simple: true }) as number,
    };
    return Promise.resolve({ database, storedNodes: this.log.storedNodeCount() });
  }
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
