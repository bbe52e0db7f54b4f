import type { PgClient, PgPool, PgQueryable, PgResult } from "./driver.js";
import { mapPgError } from "./pg-errors.js";

export type Row = Record<string, unknown>;

/** At most every pooled connection may be stale at once. */
const STALE_RETRIES = 8;

/**
 * A pool with the two ways the adapters talk to PostgreSQL: one statement,
 * or a transaction on one client. Every failure leaves here as a VigilError;
 * a client whose transaction failed is destroyed, not reused (its connection
 * may be the thing that broke), so the pool heals once the server is back.
 */
export class PgDatabase {
  constructor(private readonly pool: PgPool) {}

  rows(what: string, sql: string, params: readonly unknown[] = []): Promise<Row[]> {
    return this.withClient(what, async (q) => (await q.query(sql, params)).rows);
  }

  async one(what: string, sql: string, params: readonly unknown[] = []): Promise<Row | undefined> {
    return (await this.rows(what, sql, params))[0];
  }

  /**
   * `fn` inside BEGIN … COMMIT on one client; any throw rolls back and is
   * mapped. `opening` (statements without parameters, e.g. taking a lock and
   * then reading under it) is sent with BEGIN as one simple query, one round
   * trip instead of one each; `fn` gets their results in order.
   */
  transaction<T>(
    what: string,
    fn: (q: PgQueryable, opened: readonly PgResult[]) => Promise<T>,
    opening: readonly string[] = [],
  ): Promise<T> {
    return this.withClient(what, async (client) => {
      const opened = (await statements(client, ["BEGIN", ...opening])).slice(1);
      try {
        const out = await fn(client, opened);
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw e;
      }
    });
  }

  /**
   * `fn` on one pooled client, always released. A client whose first
   * statement fails because its connection is gone (the server restarted or
   * killed it while idle) has done nothing: `fn` runs again on a fresh one.
   */
  async withClient<T>(what: string, fn: (q: PgQueryable) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      let client: PgClient;
      try {
        client = await this.pool.connect();
      } catch (e) {
        throw mapPgError(e, what);
      }
      // The pending query rejects too; the event only must not go unheard (it would crash the process).
      const dropped = (): void => undefined;
      client.on("error", dropped);
      let done = 0;
      const q: PgQueryable = { query: async (t, v) => ((r) => (done++, r))(await client.query(t, v)) };
      try {
        const out = await fn(q);
        client.off("error", dropped);
        client.release();
        return out;
      } catch (e) {
        // Destroyed, not reused; the listener stays: the server's own error (e.g. the FATAL of a
        // terminated backend) may still arrive while the connection closes, and unheard it would crash.
        client.release(true);
        const err = mapPgError(e, what);
        if (done > 0 || err.code !== "STORAGE_UNAVAILABLE" || attempt >= STALE_RETRIES) throw err;
      }
    }
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/**
 * Statements without parameters sent as one simple query (one round trip),
 * their results in order. They run one after another, each with its own
 * snapshot, so one can read what a lock taken by the one before protects.
 */
export async function statements(q: PgQueryable, texts: readonly string[]): Promise<PgResult[]> {
  const r = await q.query(texts.join("; "));
  // node-postgres answers a query of several statements with one result each, of one with that one.
  return texts.length === 1 ? [r] : (r as unknown as PgResult[]);
}

/** A row's column as the type the schema declares (int8 and numeric arrive as numbers, see open-pool). */
export const col = {
  num: (r: Row | undefined, k: string): number => r?.[k] as number,
  buf: (r: Row | undefined, k: string): Buffer => r?.[k] as Buffer,
  str: (r: Row | undefined, k: string): string => r?.[k] as string,
};
