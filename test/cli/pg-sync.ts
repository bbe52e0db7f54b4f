/**
 * PostgreSQL for the CLI tests, whose helpers are synchronous: a child
 * process does the work and prints the answer. Fresh databases (optionally
 * copies of another, a locker's copy), each dropped after this file's tests,
 * and single statements on a locker's database (what a test changes behind
 * the CLI's back). Run as a script, this file is that child.
 */
import { spawnSync } from "node:child_process";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { ADMIN_URL, adminQuery, createTestDatabase } from "../storage/pg-test-db.js";

const SELF = fileURLToPath(import.meta.url);
let made = 0;

/** How many databases this process made (postgres-suites.test.ts checks the suites used them). */
export function databasesMade(): number {
  return made;
}

/** A new, empty database (or a copy of `template`'s, which nothing may be connected to); its URL. */
export function createDatabaseSync(template?: string): string {
  const url = new URL(child(["create", ...(template === undefined ? [] : [template])]).trim());
  made++;
  after(async () => void (await adminQuery(`DROP DATABASE IF EXISTS ${url.pathname.slice(1)} WITH (FORCE)`)));
  return url.toString();
}

export interface SqlResult {
  readonly rows: Record<string, unknown>[];
  /** Rows the statement changed. */
  readonly changes: number;
}

/** One statement ($1… parameters; Buffers are bytea, int8 comes back as a number). */
export function pgQuerySync(url: string, sql: string, params: readonly unknown[] = []): SqlResult {
  return JSON.parse(child(["query", url], JSON.stringify({ sql, params }, bytes)), revive) as SqlResult;
}

/** One statement on the server's admin database (CREATE/DROP DATABASE). */
export function adminSql(sql: string): SqlResult {
  return pgQuerySync(ADMIN_URL, sql);
}

/** Runs this file as the child: the request on stdin (a 1 MiB chunk is too long for an argument). */
function child(args: readonly string[], input = ""): string {
  const r = spawnSync(process.execPath, [SELF, ...args], {
    input,
    encoding: "utf8",
    maxBuffer: 1 << 28,
    timeout: 60_000,
  });
  if (r.status !== 0)
    throw new Error(`PostgreSQL test helper ${args[0]} failed (${r.status ?? r.signal}): ${r.stderr}`);
  return r.stdout;
}

/** Buffers cross the pipe as {$b64: …} (JSON.stringify has already made them {type: "Buffer", data}). */
function bytes(_k: string, v: unknown): unknown {
  const b = v as { type?: unknown; data?: unknown } | null;
  return b !== null && typeof b === "object" && b.type === "Buffer" && Array.isArray(b.data)
    ? { $b64: Buffer.from(b.data as number[]).toString("base64") }
    : v;
}

function revive(_k: string, v: unknown): unknown {
  const b = v as { $b64?: unknown } | null;
  return b !== null && typeof b === "object" && typeof b.$b64 === "string"
    ? Buffer.from(b.$b64, "base64")
    : v;
}

async function main(cmd: string | undefined, args: readonly string[]): Promise<string> {
  if (cmd === "create") {
    const template = args[0] === undefined ? undefined : new URL(args[0]).pathname.slice(1);
    return `${(await createTestDatabase(template)).url}\n`;
  }
  if (cmd !== "query") throw new Error(`unknown command ${cmd}`);
  pg.types.setTypeParser(20, Number);
  const stdin: Buffer[] = [];
  for await (const c of process.stdin) stdin.push(c as Buffer);
  const request = JSON.parse(Buffer.concat(stdin).toString("utf8"), revive) as {
    sql: string;
    params: unknown[];
  };
  const r = await adminQuery(request.sql, request.params, args[0]);
  return JSON.stringify({ rows: r.rows, changes: r.rowCount ?? 0 }, bytes);
}

if (process.argv[1] === SELF) process.stdout.write(await main(process.argv[2], process.argv.slice(3)));
