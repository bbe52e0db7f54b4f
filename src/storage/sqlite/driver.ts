/**
 * The narrow shape of better-sqlite3 that the adapter uses (STYLE 4: depend
 * on the driver's few methods, not its whole type surface).
 */
export interface SqliteStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
  raw(toggle?: boolean): this;
  pluck(toggle?: boolean): this;
}

export interface SqliteDatabase {
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string, options?: { simple?: boolean }): unknown;
  /** A user function callable from SQL on this connection (better-sqlite3's db.function). */
  function(name: string, options: { deterministic?: boolean }, fn: () => unknown): unknown;
  transaction<A extends unknown[], R>(
    fn: (...args: A) => R,
  ): { immediate: (...args: A) => R } & ((...args: A) => R);
  close(): unknown;
  readonly open: boolean;
  readonly inTransaction: boolean;
}
