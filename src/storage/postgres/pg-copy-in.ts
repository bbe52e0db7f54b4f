import { VigilError } from "../../errors.js";
import type { PgQueryable } from "./driver.js";
import { col, type PgDatabase } from "./pg-database.js";
import { APPEND_LOCK, COPY_IN_LOCK, DATA_TABLES } from "./pg-schema.js";

/** meta key present while `vigil migrate` copies a locker in; its value names the source. */
export const COPY_IN_MARK = "migrating_from";

/** How a copy began: on an empty database, or over an unfinished copy of the same locker (emptied first). */
export type CopyInStart = "fresh" | "restarted";

/**
 * The database side of `vigil migrate`: a copy claims an empty database for
 * its locker id and marks it unfinished (bindLocker refuses a marked
 * database, so a half-copied journal is never opened as a locker), and
 * clears the mark only once the copy is proven. A copy that fails empties
 * the database again; one that was killed leaves the mark, and the next run
 * for the same locker starts over.
 */
export class PgCopyIn {
  constructor(private readonly db: PgDatabase) {}

  /** `fn` while this process holds the copy-in lock (session-level, on one connection). */
  exclusively<T>(fn: () => Promise<T>): Promise<T> {
    return this.db.withClient("lock the database for vigil migrate", async (q) => {
      const got = (await q.query(`SELECT pg_try_advisory_lock(${COPY_IN_LOCK}) AS ok`)).rows[0];
      if (got?.ok !== true)
        throw new VigilError("CONFLICT", "another vigil migrate is copying into this database");
      try {
        return await fn();
      } finally {
        await q.query(`SELECT pg_advisory_unlock(${COPY_IN_LOCK})`).catch(() => undefined);
      }
    });
  }

  /**
   * Claims the database for `lockerId`, marked unfinished. Refused
   * (LOCKER_EXISTS, nothing written) unless it holds no locker at all or an
   * unfinished copy of this same locker, which is emptied first.
   */
  claim(lockerId: string, source: string): Promise<CopyInStart> {
    return this.db.transaction("claim the database for vigil migrate", async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      const { owner, mark } = await readMeta(q);
      let start: CopyInStart = "fresh";
      if (owner === lockerId && mark !== null) {
        await empty(q);
        start = "restarted";
      } else if (owner !== null || mark !== null || !(await isEmpty(q)))
        throw new VigilError(
          "LOCKER_EXISTS",
          `the target database already holds ${owner === null ? "data" : `the journal of locker ${owner}`}${mark === null ? "" : " (an unfinished migration)"}; migrate into an empty database`,
        );
      await q.query(
        `INSERT INTO meta (key, value) VALUES ('locker_id', $1), ($2, $3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [lockerId, COPY_IN_MARK, source],
      );
      return start;
    });
  }

  /** The copy is proven: the database becomes the locker's (bindLocker accepts it). */
  async finish(lockerId: string): Promise<void> {
    await this.db.transaction("finish vigil migrate", async (q) => {
      await assertOurs(q, lockerId);
      await q.query("DELETE FROM meta WHERE key = $1", [COPY_IN_MARK]);
    });
  }

  /** A failed copy: every row it wrote goes, and the claim with it (only while still marked as ours). */
  async abandon(lockerId: string): Promise<void> {
    await this.db.transaction("abandon vigil migrate", async (q) => {
      await q.query(`SELECT pg_advisory_xact_lock(${APPEND_LOCK})`);
      await assertOurs(q, lockerId);
      await empty(q);
      await q.query("DELETE FROM meta WHERE key IN ('locker_id', 'index_position', $1)", [COPY_IN_MARK]);
    });
  }
}

async function readMeta(q: PgQueryable): Promise<{ owner: string | null; mark: string | null }> {
  const { rows } = await q.query("SELECT key, value FROM meta WHERE key IN ('locker_id', $1)", [
    COPY_IN_MARK,
  ]);
  const value = (k: string) => {
    const r = rows.find((x) => x.key === k);
    return r === undefined ? null : col.str(r, "value");
  };
  return { owner: value("locker_id"), mark: value(COPY_IN_MARK) };
}

async function assertOurs(q: PgQueryable, lockerId: string): Promise<void> {
  const { owner, mark } = await readMeta(q);
  if (owner !== lockerId || mark === null)
    throw new VigilError(
      "CONFLICT",
      `the database no longer holds this run's unfinished copy of ${lockerId}`,
    );
}

async function isEmpty(q: PgQueryable): Promise<boolean> {
  for (const t of DATA_TABLES)
    if ((await q.query(`SELECT 1 FROM ${t} LIMIT 1`)).rows.length > 0) return false;
  return true;
}

async function empty(q: PgQueryable): Promise<void> {
  await q.query(`TRUNCATE ${DATA_TABLES.join(", ")}`);
  await q.query("DELETE FROM meta WHERE key = 'index_position'");
}
