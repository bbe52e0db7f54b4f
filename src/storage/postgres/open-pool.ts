import pg from "pg";
import { VigilError } from "../../errors.js";
import { describeUrl } from "./describe-url.js";
import { PgDatabase } from "./pg-database.js";
import { mapPgError } from "./pg-errors.js";
import { migratePg } from "./pg-schema.js";

const INT8 = 20;
const NUMERIC = 1700;

/**
 * int8 and numeric as JavaScript numbers: every integer Vigil stores (leaf
 * indices, node ids up to 53·2^47, sizes) is a safe integer; anything larger
 * is refused rather than silently rounded.
 */
function toSafeNumber(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new VigilError("STORAGE_CORRUPT", `integer ${text} is out of range`);
  return n;
}

function getTypeParser(oid: number, format?: "text" | "binary"): (text: string) => unknown {
  if (oid === INT8 || oid === NUMERIC) return toSafeNumber;
  return pg.types.getTypeParser(oid, format) as (text: string) => unknown;
}

const types = { getTypeParser: getTypeParser as unknown as typeof pg.types.getTypeParser };

/**
 * Connects to PostgreSQL and migrates the schema. Commits are synchronous
 * (an append is durable before it is acknowledged); an idle connection the
 * server drops is discarded by the pool, which reconnects on next use.
 */
export async function openPostgres(url: string, options: { max?: number } = {}): Promise<PgDatabase> {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 8,
    connectionTimeoutMillis: 10_000,
    application_name: "vigil",
    options: "-c synchronous_commit=on",
    types,
  });
  pool.on("error", () => undefined); // an idle client died: the pool drops it
  // A backend terminated just as its connection is handed out: the FATAL may be parsed in the same
  // read as the pool's hand-over, before the caller can listen, and an unheard 'error' would crash
  // the process. Every client always has a listener; the error still fails its queries.
  pool.on("connect", (client) => client.on("error", () => undefined));
  const db = new PgDatabase(pool);
  try {
    await db.withClient("migrate schema", (c) => migratePg(c));
  } catch (e) {
    await pool.end().catch(() => undefined);
    const err = mapPgError(e, "open");
    throw new VigilError(err.code, `PostgreSQL ${describeUrl(url)}: ${err.message}`, { cause: e });
  }
  return db;
}
