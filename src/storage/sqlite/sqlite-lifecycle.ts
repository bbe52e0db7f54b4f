import type { SqliteDatabase } from "./driver.js";
import type { SqliteLogStore } from "./sqlite-log-store.js";

/**
 * Whole-locker operations on the SQLite adapter: online backup, truncation to
 * an anchor (point-in-time recovery). Kept apart from the append path.
 */
export class SqliteLifecycle {
  constructor(
    protected readonly db: SqliteDatabase,
    protected readonly log: SqliteLogStore,
  ) {}
}
