import {
  appendLeaves,
  EMPTY_FRONTIER,
  frontierNodes,
  frontierRoot,
  buildRoot,
  type Frontier,
  type NodeId,
} from "../../journal/index.js";
import { VigilError } from "../../errors.js";
import type { LogEntry, StoredCheckpoint } from "../log-reader.js";
import type { AppendItem, AppendResult, LogStore, NewCheckpoint, Projector } from "../log-store.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { nodeKey } from "./schema.js";
import { mapSqliteError } from "./sqlite-errors.js";
import { SqliteIndexWriter } from "./sqlite-index-writer.js";

const SCAN_CHUNK = 8192;

interface EntryRow {
  idx: number;
  leaf_hash: Buffer;
  body: Buffer;
}

interface CheckpointRow {
  seq: number;
  size: number;
  root: Buffer;
  note: string;
  created_at: string;
  segment: number;
}

/** LogStore on SQLite: one transaction per batch (group commit), fsync'd before it returns. */
export class SqliteLogStore implements LogStore {
  private frontier: Frontier = EMPTY_FRONTIER;
  private readonly s: Record<string, SqliteStatement>;
  private readonly writer: SqliteIndexWriter;
  private readonly appendTx: (items: readonly AppendItem[], project: Projector) => AppendResult;

  constructor(private readonly db: SqliteDatabase) {
    this.s = {
      size: db.prepare("SELECT coalesce(max(idx) + 1, 0) FROM entries").pluck(),
      insertEntry: db.prepare("INSERT INTO entries (idx, leaf_hash, body) VALUES (?, ?, ?)"),
      insertNode: db.prepare("INSERT INTO nodes (id, hash) VALUES (?, ?)"),
      // OR REPLACE: a recovery re-stores contents under the artifact's original blob row.
      insertInline: db.prepare("INSERT OR REPLACE INTO blobs (id, digest, size, data) VALUES (?, ?, ?, ?)"),
      insertFileRef: db.prepare(
        "INSERT OR REPLACE INTO blobs (id, digest, size, data) VALUES (?, ?, ?, NULL)",
      ),
      dropBlob: db.prepare("DELETE FROM blobs WHERE id = ?"),
      entries: db.prepare("SELECT idx, leaf_hash, body FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx"),
      leaf: db.prepare("SELECT leaf_hash FROM entries WHERE idx = ?").pluck(),
      node: db.prepare("SELECT hash FROM nodes WHERE id = ?").pluck(),
      nodeCount: db.prepare("SELECT count(*) FROM nodes").pluck(),
      level: db.prepare("SELECT id, hash FROM nodes WHERE id >= ? AND id < ? ORDER BY id LIMIT ?").raw(),
      leafHashes: db
        .prepare("SELECT idx, leaf_hash FROM entries WHERE idx >= ? AND idx < ? ORDER BY idx")
        .raw(),
      insertCp: db.prepare(
        "INSERT INTO checkpoints (seq, size, root, note, created_at, segment) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      cps: db.prepare("SELECT seq, size, root, note, created_at, segment FROM checkpoints ORDER BY seq"),
      cp: db.prepare("SELECT seq, size, root, note, created_at, segment FROM checkpoints WHERE seq = ?"),
      lastCp: db.prepare(
        "SELECT seq, size, root, note, created_at, segment FROM checkpoints ORDER BY seq DESC LIMIT 1",
      ),
    };
    this.writer = new SqliteIndexWriter(db);
    this.appendTx = db.transaction((items: readonly AppendItem[], project: Projector) =>
      this.appendNow(items, project),
    ).immediate;
  }

  size(): Promise<number> {
    return Promise.resolve(this.sizeNow());
  }

  private sizeNow(): number {
    return this.s.size!.get() as number;
  }

  append(items: readonly AppendItem[], project: Projector): Promise<AppendResult> {
    if (items.length === 0) return this.size().then((size) => ({ first: size, size }));
    try {
      return Promise.resolve(this.appendTx(items, project));
    } catch (e) {
      this.frontier = EMPTY_FRONTIER; // reload from disk next time: the transaction rolled back
      return Promise.reject(mapSqliteError(e, "append to journal"));
    }
  }

  private appendNow(items: readonly AppendItem[], project: Projector): AppendResult {
    const first = this.sizeNow();
    const frontier = this.frontier.size === first ? this.frontier : this.loadFrontier(first);
    const { frontier: next, nodes } = appendLeaves(
      frontier,
      items.map((i) => i.encoded.leafHash),
    );
    items.forEach((item, k) => this.writeItem(item, first + k, project));
    for (const n of nodes) this.s.insertNode!.run(nodeKey(n.level, n.index), n.hash);
    this.writer.setPosition(next.size);
    this.frontier = next;
    return { first, size: next.size };
  }

  private writeItem(item: AppendItem, index: number, project: Projector): void {
    this.s.insertEntry!.run(index, item.encoded.leafHash, item.encoded.bytes);
    const blobId = item.blobId ?? index;
    if (item.inline)
      this.s.insertInline!.run(blobId, item.inline.digest, item.inline.data.length, item.inline.data);
    if (item.file) this.s.insertFileRef!.run(blobId, item.file.digest, item.file.size);
    if (item.dropContents !== undefined) this.s.dropBlob!.run(item.dropContents);
    for (const op of item.ops?.(index) ?? project(item.record, index, item.encoded.bytes))
      this.writer.apply(op);
  }

  private loadFrontier(size: number): Frontier {
    return { size, peaks: this.readNodesNow(frontierNodes(size)) };
  }

  readEntries(start: number, end: number): Promise<LogEntry[]> {
    try {
      const rows = this.s.entries!.all(start, end) as EntryRow[];
      return Promise.resolve(rows.map((r) => ({ index: r.idx, bytes: r.body, leafHash: r.leaf_hash })));
    } catch (e) {
      return Promise.reject(mapSqliteError(e, "read journal entries"));
    }
  }

  /** Leaf hashes [start, end) in index order, streamed (verification). */
  *iterateLeafHashes(start = 0): IterableIterator<[number, Buffer]> {
    // Chunks of all(): better-sqlite3's iterate() costs several times more per row.
    for (let lo = start; ; lo += SCAN_CHUNK) {
      const rows = this.s.leafHashes!.all(lo, lo + SCAN_CHUNK) as [number, Buffer][];
      yield* rows;
      if (rows.length < SCAN_CHUNK) return;
    }
  }

  /** Stored nodes of one level (>= 1), in index order. */
  *iterateLevel(level: number): IterableIterator<[number, Buffer]> {
    const base = nodeKey(level, 0);
    const end = nodeKey(level + 1, 0);
    for (let lo = base; lo < end;) {
      const rows = this.s.level!.all(lo, end, SCAN_CHUNK) as [number, Buffer][];
      for (const [id, hash] of rows) yield [id - base, hash];
      if (rows.length < SCAN_CHUNK) return;
      lo = (rows[rows.length - 1]?.[0] ?? end) + 1;
    }
  }

  storedNodeCount(): number {
    return this.s.nodeCount!.get() as number;
  }

  readNodes(ids: readonly NodeId[]): Promise<Buffer[]> {
    try {
      return Promise.resolve(this.readNodesNow(ids));
    } catch (e) {
      return Promise.reject(mapSqliteError(e, "read tree nodes"));
    }
  }

  private readNodesNow(ids: readonly NodeId[]): Buffer[] {
    return ids.map((id) => {
      const h = (
        id.level === 0 ? this.s.leaf!.get(id.index) : this.s.node!.get(nodeKey(id.level, id.index))
      ) as Buffer | undefined;
      if (h === undefined) {
        throw new VigilError("STORAGE_CORRUPT", `tree node level ${id.level} index ${id.index} is missing`);
      }
      return h;
    });
  }

  async root(size?: number): Promise<Buffer | null> {
    const n = size ?? this.sizeNow();
    if (n === this.frontier.size && n > 0) return Buffer.from(frontierRoot(this.frontier) as Uint8Array);
    const r = await buildRoot(n, (ids) => this.readNodes(ids));
    return r === null ? null : Buffer.from(r);
  }

  addCheckpoint(cp: NewCheckpoint): Promise<StoredCheckpoint> {
    try {
      const add = this.db.transaction(() => {
        const last = this.s.lastCp!.get() as CheckpointRow | undefined;
        const seq = (last?.seq ?? 0) + 1;
        const segment = cp.segment ?? last?.segment ?? 1;
        this.s.insertCp!.run(seq, cp.size, cp.root, cp.note, cp.createdAt, segment);
        return { seq, size: cp.size, root: cp.root, note: cp.note, createdAt: cp.createdAt, segment };
      });
      return Promise.resolve(add.immediate());
    } catch (e) {
      return Promise.reject(mapSqliteError(e, "store checkpoint"));
    }
  }

  listCheckpoints(): Promise<StoredCheckpoint[]> {
    return Promise.resolve((this.s.cps!.all() as CheckpointRow[]).map(toCheckpoint));
  }

  getCheckpoint(seq: number): Promise<StoredCheckpoint | null> {
    const row = this.s.cp!.get(seq) as CheckpointRow | undefined;
    return Promise.resolve(row ? toCheckpoint(row) : null);
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    const row = this.s.lastCp!.get() as CheckpointRow | undefined;
    return Promise.resolve(row ? toCheckpoint(row) : null);
  }

  /** Moves committed WAL frames into the database file, so bulk readers scan one file. */
  checkpointWal(): void {
    this.db.pragma("wal_checkpoint(PASSIVE)");
  }

  close(): Promise<void> {
    if (this.db.open) this.db.close();
    return Promise.resolve();
  }
}

function toCheckpoint(r: CheckpointRow): StoredCheckpoint {
  return {
    seq: r.seq,
    size: r.size,
    root: r.root,
    note: r.note,
    createdAt: r.created_at,
    segment: r.segment,
  };
}
