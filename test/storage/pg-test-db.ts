/** Fresh PostgreSQL databases for tests: one per test, dropped at the end. */
import { randomBytes } from "node:crypto";
import pg from "pg";

/** The server the tests use; VIGIL_TEST_PG_URL points them elsewhere. */
export const ADMIN_URL = process.env.VIGIL_TEST_PG_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";

export function databaseUrl(name: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function adminQuery(
  sql: string,
  params: unknown[] = [],
  url = ADMIN_URL,
): Promise<pg.QueryResult> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await c.connect();
  try {
    return await c.query(sql, params);
  } finally {
    await c.end();
  }
}

/** null when reachable, else why not. */
export async function pgUnreachable(): Promise<string | null> {
  try {
    await adminQuery("SELECT 1");
    return null;
  } catch (e) {
    return `PostgreSQL unreachable at ${ADMIN_URL}: ${(e as Error).message}`;
  }
}

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  await adminQuery(`CREATE DATABASE ${name}`);
  return {
    name,
    url: databaseUrl(name),
    drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}
