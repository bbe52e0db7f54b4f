import type { PgClient, PgPool, PgQueryable } from "./driver.js";
import { mapPgError } from "./pg-errors.js";

export type Row = Record<string, unknown>;

/**
 * A pool with the two ways the adapters talk to PostgreSQL: one statement,
 * or a transaction on one client. Every failure leaves here as a VigilError;
 * a client whose transaction failed is destroyed, not reused (its connection
 * may be the thing that broke), so the pool heals once the server is back.
 */
export class PgDatabase {
  constructor(private readonly pool: PgPool) {}

  async rows(what: string, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    try {
      return (await this.pool.query(sql, params)).rows;
    } catch (e) {
      throw mapPgError(e, what);
    }
  }

  async one(what: string, sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(what, sql, params))[0];
  }

  /** `fn` inside BEGIN … COMMIT on one client; any throw rolls back and is mapped. */
  async transaction<T>(what: string, fn: (q: PgQueryable) => Promise<T>): Promise<T> {
    let client: PgClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw mapPgError(e, what);
    }
    try {
      await client.query("BEGIN");
      const out = await fn(client);
      await client.query("COMMIT");
      client.release();
      return out;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => undefined);
      client.release(true);
      throw mapPgError(e, what);
    }
  }

  /** A client for a statement sequence the caller controls (migrations, streaming); always released. */
  async withClient<T>(what: string, fn: (q: PgQueryable) => Promise<T>): Promise<T> {
    let client: PgClient;
    try {
      client = await this.pool.connect();
    } catch (e) {
      throw mapPgError(e, what);
    }
    try {
      const out = await fn(client);
      client.release();
      return out;
    } catch (e) {
      client.release(true);
      throw mapPgError(e, what);
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** A row's column as the type the schema declares (int8 and numeric arrive as numbers, see open-pool). */
export const col = {
  num: (r: Row | undefined, k: string): number => r?.[k] as number,
  buf: (r: Row | undefined, k: string): Buffer => r?.[k] as Buffer,
  str: (r: Row | undefined, k: string): string => r?.[k] as string,
};
