import { appendLeaves, buildRoot, frontierNodes, type Frontier, type NodeId } from "../../journal/index.js";
import { VigilError } from "../../errors.js";
import type { LogEntry, StoredCheckpoint } from "../log-reader.js";
import type { AppendItem, AppendResult, LogStore, NewCheckpoint, Projector } from "../log-store.js";
import { nodeKey } from "../node-key.js";
import type { PgQueryable } from "./driver.js";
import { writeBatch } from "./pg-append.js";
import { col, statements, type PgDatabase, type Row } from "./pg-database.js";
import { stageable, stageBatch, STAGE_TABLES } from "./pg-stage.js";
import { APPEND_LOCK } from "./pg-schema.js";

const CP_COLUMNS = "seq, size, root, note, created_at, segment";
const LOCK = `SELECT pg_advisory_xact_lock(${APPEND_LOCK})`;
const SIZE = "SELECT coalesce(max(idx) + 1, 0) AS n FROM entries";

/** Hashes of `ids` (level 0 from entries, the rest from nodes) in the order asked; one round trip. */
export async function readNodesWith(q: PgQueryable, ids: readonly NodeId[]): Promise<Buffer[]> {
  if (ids.length === 0) return [];
  const keys = ids.map((id) => nodeKey(id.level, id.index));
  const { rows } = await q.query(
    `SELECT coalesce(n.hash, e.leaf_hash) AS hash FROM unnest($1::int8[]) WITH ORDINALITY AS k(id, ord)
     LEFT JOIN nodes n ON n.id = k.id LEFT JOIN entries e ON e.idx = k.id ORDER BY k.ord`,
    [keys],
  );
  return rows.map((r, i) => {
    const h = r.hash as Buffer | null;
    if (h === null) {
      const id = ids[i] as NodeId;
      throw new VigilError("STORAGE_CORRUPT", `tree node level ${id.level} index ${id.index} is missing`);
    }
    return h;
  });
}

/**
 * LogStore on PostgreSQL, safe with several writer processes: an append
 * holds a transaction-scoped advisory lock, reads the size and the peaks
 * inside it, writes everything and commits, so indices are dense and never
 * shared. If the process dies mid-append the server rolls back and frees the
 * lock: the next writer simply proceeds.
 */
export class PgLogStore implements LogStore {
  /**
   * The tree's frontier after this process's last append. Entries are never
   * rewritten, so when the journal still has that size under the lock, its
   * peaks are these (another process appending changes the size).
   */
  private last: Frontier | null = null;

  constructor(private readonly db: PgDatabase) {}

  async size(): Promise<number> {
    return col.num(await this.db.one("read journal size", SIZE), "n");
  }

  async append(items: readonly AppendItem[], project: Projector): Promise<AppendResult> {
    if (items.length === 0) return this.size().then((size) => ({ first: size, size }));
    const staged = stageable(items);
    const { first, next } = await this.db.transaction(
      "append to journal",
      async (q, opened) => {
        // A large batch stages its rows before it queues for the lock (pg-stage.ts).
        if (staged) await stageBatch(q, items);
        const [, size] = staged ? await statements(q, [LOCK, SIZE]) : opened;
        const first = col.num(size?.rows[0], "n");
        const frontier: Frontier =
          this.last?.size === first
            ? this.last
            : { size: first, peaks: await readNodesWith(q, frontierNodes(first)) };
        const { frontier: next, nodes } = appendLeaves(
          frontier,
          items.map((i) => i.encoded.leafHash),
        );
        await writeBatch(q, first, items, nodes, project, staged);
        return { first, next };
      },
      // The size is read after the lock is held (its own statement, so its own snapshot).
      staged ? STAGE_TABLES : [LOCK, SIZE],
    );
    this.last = next; // committed
    return { first, size: next.size };
  }

  async readEntries(start: number, end: number): Promise<LogEntry[]> {
    const rows = await this.db.rows(
      "read journal entries",
      "SELECT idx, leaf_hash, body FROM entries WHERE idx >= $1 AND idx < $2 ORDER BY idx",
      [start, end],
    );
    return rows.map((r) => ({
      index: col.num(r, "idx"),
      bytes: col.buf(r, "body"),
      leafHash: col.buf(r, "leaf_hash"),
    }));
  }

  readNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    return this.db.withClient("read tree nodes", (q) => readNodesWith(q, ids));
  }

  async root(size?: number): Promise<Buffer | null> {
    const n = size ?? (await this.size());
    const r = await buildRoot(n, (ids) => this.readNodes(ids));
    return r === null ? null : Buffer.from(r);
  }

  /**
   * The next seq is taken under the append lock, so two writers never number
   * a checkpoint twice, and a checkpoint smaller than the latest of its
   * segment is refused (CONFLICT): the chain never goes backwards.
   */
  addCheckpoint(cp: NewCheckpoint): Promise<StoredCheckpoint> {
    return this.db.transaction(
      "store checkpoint",
      async (q, [, latest]) => {
        const row = latest?.rows[0];
        const last = row === undefined ? null : toCheckpoint(row);
        const seq = (last?.seq ?? 0) + 1;
        const segment = cp.segment ?? last?.segment ?? 1;
        // Another server process may have signed a larger tree since this one read the size.
        if (last !== null && segment === last.segment && last.size > cp.size)
          throw new VigilError(
            "CONFLICT",
            `anchor ${last.seq} already covers ${last.size} entries, more than ${cp.size}`,
          );
        await q.query(`INSERT INTO checkpoints (${CP_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)`, [
          seq,
          cp.size,
          cp.root,
          cp.note,
          cp.createdAt,
          segment,
        ]);
        return { seq, size: cp.size, root: cp.root, note: cp.note, createdAt: cp.createdAt, segment };
      },
      [LOCK, `SELECT ${CP_COLUMNS} FROM checkpoints ORDER BY seq DESC LIMIT 1`],
    );
  }

  async listCheckpoints(): Promise<StoredCheckpoint[]> {
    const rows = await this.db.rows("list checkpoints", `SELECT ${CP_COLUMNS} FROM checkpoints ORDER BY seq`);
    return rows.map(toCheckpoint);
  }

  async getCheckpoint(seq: number): Promise<StoredCheckpoint | null> {
    const r = await this.db.one("read checkpoint", `SELECT ${CP_COLUMNS} FROM checkpoints WHERE seq = $1`, [
      seq,
    ]);
    return r === undefined ? null : toCheckpoint(r);
  }

  async latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const r = await this.db.one(
      "read latest checkpoint",
      `SELECT ${CP_COLUMNS} FROM checkpoints ORDER BY seq DESC LIMIT 1`,
    );
    return r === undefined ? null : toCheckpoint(r);
  }

  close(): Promise<void> {
    return this.db.close();
  }
}

function toCheckpoint(r: Row): StoredCheckpoint {
  return {
    seq: col.num(r, "seq"),
    size: col.num(r, "size"),
    root: col.buf(r, "root"),
    note: col.str(r, "note"),
    createdAt: col.str(r, "created_at"),
    segment: col.num(r, "segment"),
  };
}
