import type { ArtifactRetrieval } from "../evidence-index.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";

/** Changes committed by another process (PRAGMA data_version) are seen at most this late. */
export const FOREIGN_CHANGE_MS = 20;
const MAX_ENTRIES = 4096;
const MAX_BYTES = 16 << 20;

/**
 * The writes that can change what retrieval answers for an artifact already
 * read (contents, state, rows). Inserts into blobs are not watched, so that
 * the upload path pays no trigger: a new row is a new artifact's (never
 * cached before it exists), and the one insert over an existing row, a
 * recovery, also clears the artifact's state row, which is watched.
 */
const WATCHED: Readonly<Record<string, readonly string[]>> = {
  blobs: ["UPDATE", "DELETE"],
  evidence_state: ["INSERT", "UPDATE", "DELETE"],
  evidence: ["UPDATE", "DELETE"],
};

/**
 * Answers of EvidenceIndex.retrieval for artifacts with inline contents, kept
 * in memory (the server's hot read: one SQLite read transaction and a three-way
 * join per GET otherwise). Any change this connection makes to the contents,
 * state or evidence rows empties it at once — temporary triggers call back
 * into this object inside the writing statement — and a change committed by
 * another connection empties it on the first read after PRAGMA data_version
 * moves, checked at most every FOREIGN_CHANGE_MS. Bounded in entries and bytes.
 */
export class RetrievalCache {
  private readonly entries = new Map<string, ArtifactRetrieval>();
  private bytes = 0;
  private readonly version: SqliteStatement;
  private seenVersion: unknown;
  private checkedAt = 0;

  constructor(
    db: SqliteDatabase,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    const fn = `vigil_retrieval_changed_${Math.random().toString(36).slice(2)}`;
    db.function(fn, { deterministic: false }, () => (this.clear(), null));
    for (const [table, events] of Object.entries(WATCHED))
      for (const event of events)
        db.exec(
          `CREATE TEMP TRIGGER ${fn}_${table}_${event.toLowerCase()} AFTER ${event} ON main.${table} BEGIN SELECT ${fn}(); END`,
        );
    this.version = db.prepare("PRAGMA data_version").pluck();
    this.seenVersion = this.version.get();
  }

  get(key: string): ArtifactRetrieval | undefined {
    this.noticeForeignChanges();
    return this.entries.get(key);
  }

  /** Remembers an answer with inline contents; others (file contents, none left) are read each time. */
  set(key: string, r: ArtifactRetrieval): void {
    if (r.inline === null || r.inline.length > MAX_BYTES / 64) return;
    while (this.entries.size >= MAX_ENTRIES || this.bytes + r.inline.length > MAX_BYTES) this.evictOldest();
    this.entries.set(key, r);
    this.bytes += r.inline.length;
  }

  get size(): number {
    return this.entries.size;
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private evictOldest(): void {
    const first = this.entries.entries().next();
    if (first.done === true) return;
    this.entries.delete(first.value[0]);
    this.bytes -= first.value[1].inline?.length ?? 0;
  }

  private noticeForeignChanges(): void {
    const t = this.now();
    if (t - this.checkedAt < FOREIGN_CHANGE_MS) return;
    this.checkedAt = t;
    const v = this.version.get();
    if (v !== this.seenVersion) this.clear();
    this.seenVersion = v;
  }
}
