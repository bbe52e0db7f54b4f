import { VigilError } from "../../errors.js";
import { COPY_IN_MARK } from "./pg-copy-in.js";
import { col, type PgDatabase } from "./pg-database.js";

/**
 * A database holds one locker's journal: the first locker to open it claims
 * it (meta.locker_id), and any other locker is refused, so two data
 * directories with different keys never sign one log. A database that an
 * unfinished `vigil migrate` is copying into (or was, when it was killed) is
 * refused too: its journal may be half there.
 */
export async function bindLocker(db: PgDatabase, lockerId: string): Promise<void> {
  const r = await db.transaction("bind database to locker", async (q) => {
    await q.query("INSERT INTO meta (key, value) VALUES ('locker_id', $1) ON CONFLICT (key) DO NOTHING", [
      lockerId,
    ]);
    return (
      await q.query(
        "SELECT value, (SELECT value FROM meta WHERE key = $1) AS mark FROM meta WHERE key = 'locker_id'",
        [COPY_IN_MARK],
      )
    ).rows[0];
  });
  const owner = col.str(r, "value");
  if (owner !== lockerId)
    throw new VigilError(
      "LOCKER_EXISTS",
      `the database holds the journal of locker ${owner}, not ${lockerId}`,
    );
  const mark = r?.mark === null || r?.mark === undefined ? null : col.str(r, "mark");
  if (mark !== null)
    throw new VigilError(
      "CONFLICT",
      `the database holds an unfinished vigil migrate of locker ${owner} (from ${mark}): it is not a locker yet; run vigil migrate again (it starts over)`,
    );
}

/** The locker that claimed the database, if any. */
export async function boundLocker(db: PgDatabase): Promise<string | null> {
  const r = await db.one("read database owner", "SELECT value FROM meta WHERE key = 'locker_id'");
  return r === undefined ? null : col.str(r, "value");
}
