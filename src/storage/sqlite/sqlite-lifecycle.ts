import { closeSync, fdatasyncSync, openSync } from "node:fs";
import { equalBytes, foldRight, rangeNodes, type NodeId } from "../../journal/index.js";
import { VigilError } from "../../errors.js";
import type { StoredCheckpoint } from "../log-reader.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { openDatabase } from "./open-database.js";
import { nodeKey } from "./schema.js";
import { mapSqliteError } from "./sqlite-errors.js";
import type { SqliteLogStore } from "./sqlite-log-store.js";

/** better-sqlite3's online backup API, declared where it is used (STYLE 4). */
interface BackupProgress {
  readonly totalPages: number;
  readonly remainingPages: number;
}
interface OnlineBackup {
  backup(dest: string, options: { progress: (p: BackupProgress) => number }): Promise<BackupProgress>;
}

/** Bytes per backup step, and how much the copy may write before it is flushed to disk. */
const STEP_BYTES = 8 << 20;
const FLUSH_BYTES = 64 << 20;
/** Highest node level a safe-integer tree can have. */
const MAX_LEVEL = 53;

/** A contents row: id is the leaf index of the record that committed to it. */
export interface BlobRef {
  readonly id: number;
  readonly digest: Buffer;
  readonly size: number;
  readonly inline: boolean;
}

export interface TruncateResult {
  readonly removedEntries: number;
  readonly removedCheckpoints: number;
  /** File blobs no row references any more: the caller unlinks them after the commit. */
  readonly unreferencedFiles: Buffer[];
  readonly root: Buffer;
}

/**
 * Whole-locker operations on the SQLite adapter: online backup, truncation to
 * an anchor (point-in-time recovery), verbatim copies for replicas. Kept apart
 * from the append path.
 */
export class SqliteLifecycle {
  private readonly s: Record<
    "pin" | "leaf" | "node" | "blobRefs" | "fileDigestsFrom" | "insertCp",
    SqliteStatement
  >;

  constructor(
    protected readonly db: SqliteDatabase,
    protected readonly log: SqliteLogStore,
  ) {
    this.s = {
      pin: db.prepare("SELECT count(*) FROM checkpoints"),
      leaf: db.prepare("SELECT leaf_hash FROM entries WHERE idx = ?").pluck(),
      node: db.prepare("SELECT hash FROM nodes WHERE id = ?").pluck(),
      blobRefs: db.prepare(
        "SELECT id, digest, size, data IS NOT NULL AS inline FROM blobs WHERE id >= ? AND id < ? ORDER BY id",
      ),
      fileDigestsFrom: db.prepare("SELECT digest FROM blobs WHERE id >= ? AND data IS NULL").pluck(),
      insertCp: db.prepare(
        "INSERT INTO checkpoints (seq, size, root, note, created_at, segment) VALUES (?, ?, ?, ?, ?, ?)",
      ),
    };
  }

  /**
   * A consistent copy of the whole database at one instant, taken on the live
   * connection while other processes keep writing. A read transaction held on
   * this connection pins one WAL snapshot for every step (SQLite's backup
   * opens no transaction of its own when one is open), so writers neither
   * wait nor restart the copy; the copy is flushed as it grows, so it never
   * piles up dirty pages that a writer's fsync would have to wait behind.
   * The copy is left as one self-contained file (rollback journal).
   * `stepBytes`: copied per step (tests use small steps to interleave writers).
   */
  async backupTo(dest: string, stepBytes = STEP_BYTES): Promise<void> {
    const pageSize = this.db.pragma("page_size", { simple: true }) as number;
    const pages = Math.max(1, Math.floor(stepBytes / pageSize));
    const flush = new Flusher(dest, FLUSH_BYTES);
    const pin = !this.db.inTransaction;
    if (pin) this.db.exec("BEGIN");
    try {
      this.s.pin.get();
      await (this.db as unknown as OnlineBackup).backup(dest, {
        progress: (p) => (flush.maybe((p.totalPages - p.remainingPages) * pageSize), pages),
      });
    } catch (e) {
      throw mapSqliteError(e, `online backup to ${dest}`);
    } finally {
      flush.close();
      if (pin && this.db.inTransaction) this.db.exec("COMMIT");
    }
    const copy = openDatabase(dest, { create: false });
    try {
      copy.pragma("journal_mode = DELETE");
    } finally {
      copy.close();
    }
  }

  /**
   * Runs `fn` on one read snapshot: a read transaction held on this
   * connection pins one WAL snapshot, so every read inside sees the same
   * instant while other processes keep writing (vigil migrate's source).
   * Nothing else may use this connection meanwhile.
   */
  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec("BEGIN");
    try {
      this.s.pin.get();
      return await fn();
    } finally {
      if (this.db.inTransaction) this.db.exec("COMMIT");
    }
  }

  /** Contents rows with id in [lo, hi). */
  blobRefs(lo: number, hi: number): BlobRef[] {
    return (
      this.s.blobRefs.all(lo, hi) as { id: number; digest: Buffer; size: number; inline: number }[]
    ).map((r) => ({ id: r.id, digest: r.digest, size: r.size, inline: r.inline === 1 }));
  }

  /** Digests of every file blob still referenced by a contents row. */
  referencedFiles(): Set<string> {
    const all = this.s.fileDigestsFrom.all(0) as Buffer[];
    return new Set(all.map((d) => d.toString("hex")));
  }

  /** Stores a checkpoint exactly as its signer numbered it (a replica copies its source's). */
  insertCheckpoint(cp: StoredCheckpoint): void {
    try {
      this.s.insertCp.run(cp.seq, cp.size, cp.root, cp.note, cp.createdAt, cp.segment);
    } catch (e) {
      throw mapSqliteError(e, `store checkpoint ${cp.seq}`);
    }
  }

  /**
   * Runs `fn` inside one write transaction that may span awaits: the log's own
   * transactions nest as savepoints. Nothing else may use this connection
   * meanwhile; any failure rolls everything back.
   */
  async atomically<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec("BEGIN IMMEDIATE");
    try {
      const out = await fn();
      this.db.exec("COMMIT");
      return out;
    } catch (e) {
      if (this.db.inTransaction) this.db.exec("ROLLBACK");
      throw e;
    }
  }

  /** MTH of the first `size` leaves from the stored nodes, read synchronously. */
  rootAt(size: number): Buffer | null {
    if (size === 0) return null;
    return Buffer.from(foldRight(rangeNodes({ lo: 0, hi: size }).map((id) => this.readNode(id))));
  }

  private readNode(id: NodeId): Buffer {
    const h = (id.level === 0 ? this.s.leaf.get(id.index) : this.s.node.get(nodeKey(id.level, id.index))) as
      Buffer | undefined;
    if (h === undefined)
      throw new VigilError("STORAGE_CORRUPT", `tree node level ${id.level} index ${id.index} is missing`);
    return h;
  }

  /**
   * Rolls the journal back to exactly the tree of `keep` in one transaction:
   * entries, nodes and contents rows beyond its size and anchors after it are
   * deleted, `reindex` rebuilds the projections, and the root recomputed from
   * the remaining nodes must equal the anchor's signed root, or nothing changes.
   */
  truncate(keep: StoredCheckpoint, reindex: () => void): TruncateResult {
    const tx = this.db.transaction((): TruncateResult => {
      const dropped = this.s.fileDigestsFrom.all(keep.size) as Buffer[];
      const removedEntries = this.db.prepare("DELETE FROM entries WHERE idx >= ?").run(keep.size).changes;
      this.deleteNodesBeyond(keep.size);
      this.db.prepare("DELETE FROM blobs WHERE id >= ?").run(keep.size);
      const removedCheckpoints = this.db
        .prepare("DELETE FROM checkpoints WHERE seq > ?")
        .run(keep.seq).changes;
      reindex();
      const root = this.rootAt(keep.size);
      if (root === null || !equalBytes(root, keep.root))
        throw new VigilError(
          "INTEGRITY_FAILURE",
          `the root recomputed at size ${keep.size} does not match anchor ${keep.seq}; nothing was changed`,
        );
      const kept = this.referencedFiles();
      const unreferencedFiles = dropped.filter((d) => !kept.has(d.toString("hex")));
      return { removedEntries, removedCheckpoints, unreferencedFiles, root };
    });
    try {
      return tx.immediate();
    } catch (e) {
      throw mapSqliteError(e, `roll back to anchor ${keep.seq}`);
    }
  }

  /** Node (level, index) belongs to the tree of `size` leaves iff (index + 1) * 2^level <= size. */
  private deleteNodesBeyond(size: number): void {
    const del = this.db.prepare("DELETE FROM nodes WHERE id >= ? AND id < ?");
    for (let level = 1; level <= MAX_LEVEL; level++)
      del.run(nodeKey(level, Math.floor(size / 2 ** level)), nodeKey(level + 1, 0));
  }
}

/** fdatasync of a file being written by someone else, each time it has grown by `every` bytes. */
class Flusher {
  private fd: number | null = null;
  private flushed = 0;

  constructor(
    private readonly path: string,
    private readonly every: number,
  ) {}

  maybe(written: number): void {
    if (written - this.flushed < this.every) return;
    this.fd ??= openSync(this.path, "r");
    fdatasyncSync(this.fd);
    this.flushed = written;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
