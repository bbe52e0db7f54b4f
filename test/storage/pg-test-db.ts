/** Fresh PostgreSQL databases for tests: one per test, dropped at the end. */
import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * The backend the backend-neutral suites (server, CLI) run on in this process:
 * read when called, since postgres-suites.test.ts sets it after its imports.
 */
export function testBackend(): "sqlite" | "postgres" {
  return process.env.VIGIL_TEST_BACKEND === "postgres" ? "postgres" : "sqlite";
}

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

/** A new database, empty or a copy of `template` (a database name; nothing may be connected to it). */
export async function createTestDatabase(template?: string): Promise<TestDatabase> {
  const name = `vigil_test_${randomBytes(6).toString("hex")}`;
  if (template !== undefined && !/^[a-z0-9_]+$/.test(template)) throw new Error(`bad template ${template}`);
  await adminQuery(`CREATE DATABASE ${name}${template === undefined ? "" : ` TEMPLATE ${template}`}`);
  return {
    name,
    url: databaseUrl(name),
    drop: async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

/** `fn` on a fresh database, dropped afterwards whatever `fn` does. */
export async function withTestDatabase(fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  const db = await createTestDatabase();
  try {
    await fn(db);
  } finally {
    await db.drop();
  }
}
