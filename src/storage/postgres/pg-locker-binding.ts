import { VigilError } from "../../errors.js";
import { col, type PgDatabase } from "./pg-database.js";

/**
 * A database holds one locker's journal: the first locker to open it claims
 * it (meta.locker_id), and any other locker is refused, so two data
 * directories with different keys never sign one log.
 */
export async function bindLocker(db: PgDatabase, lockerId: string): Promise<void> {
  const r = await db.transaction("bind database to locker", async (q) => {
    await q.query("INSERT INTO meta (key, value) VALUES ('locker_id', $1) ON CONFLICT (key) DO NOTHING", [
      lockerId,
    ]);
    return (await q.query("SELECT value FROM meta WHERE key = 'locker_id'")).rows[0];
  });
  const owner = col.str(r, "value");
  if (owner !== lockerId)
    throw new VigilError(
      "LOCKER_EXISTS",
      `the database holds the journal of locker ${owner}, not ${lockerId}`,
    );
}

/** The locker that claimed the database, if any. */
export async function boundLocker(db: PgDatabase): Promise<string | null> {
  const r = await db.one("read database owner", "SELECT value FROM meta WHERE key = 'locker_id'");
  return r === undefined ? null : col.str(r, "value");
}
