/**
 * In-process server for tests: a fresh locker, the real Fastify app (no
 * socket; requests go through app.inject), tokens made the way
 * `vigil token create` makes them. VIGIL_TEST_BACKEND=postgres puts the
 * locker's journal in a fresh PostgreSQL database (dropped on close);
 * postgres-suites.test.ts runs every suite here that way.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { InjectOptions, LightMyRequestResponse } from "fastify";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { initPostgresLocker, openLocker } from "../../src/app/open-locker.js";
import { systemClock } from "../../src/clock.js";
import { createToken, parseTokenRequest, revokeToken } from "../../src/domains/access/tokens.js";
import { startServer, type RunningServer } from "../../src/server/serve.js";
import { DEFAULT_SERVER_CONFIG, type ServerConfig } from "../../src/server/server-config.js";
import { createTestDatabase, pgUnreachable, testBackend, type TestDatabase } from "../storage/pg-test-db.js";

/** The backend the server suites run on in this process. */
export const BACKEND = testBackend();

export interface Harness {
  readonly server: RunningServer;
  readonly dataDir: string;
  readonly backend: "sqlite" | "postgres";
  token(role: string, tenant?: string, name?: string, expiresAt?: string): Promise<string>;
  /** Revokes a token made by token() (a `token.revoked` record). */
  revoke(token: string): Promise<void>;
  inject(opts: InjectOptions): Promise<LightMyRequestResponse>;
  /** Journal size now (every write, receipts included, appends to it). */
  journalSize(): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(config: Partial<ServerConfig> = {}): Promise<Harness> {
  const root = mkdtempSync(join(tmpdir(), "vigil-server-"));
  const dataDir = join(root, "locker");
  const db = await initBackend(dataDir);
  const v = await openLocker(dataDir, { flushOffLoop: true }); // as `vigil serve` opens it
  const deps = { log: v.log, tokens: v.tokens, clock: v.clock, project: projectAll };
  const server = await startServer(v, { ...DEFAULT_SERVER_CONFIG, anchorIntervalMs: 0, ...config }, false);
  let closed = false;
  return {
    server,
    dataDir,
    backend: BACKEND,
    async token(role, tenant = "default", name = `${role}-${tenant}`, expiresAt) {
      const req = parseTokenRequest({ name, role, tenant, expiresAt: expiresAt ?? null }, "test");
      return (await createToken(deps, req)).token;
    },
    async revoke(token) {
      await revokeToken(deps, token.slice(0, token.indexOf(".")), "test");
    },
    inject: (opts) => server.app.inject(opts),
    journalSize: () => v.log.size(),
    async close() {
      if (closed) return;
      closed = true;
      await server.stop();
      await db?.drop();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** A new locker on this process's backend; the database to drop, for PostgreSQL. */
async function initBackend(dataDir: string): Promise<TestDatabase | null> {
  if (BACKEND === "sqlite") {
    initLocker(dataDir, systemClock);
    return null;
  }
  const why = await pgUnreachable();
  if (why !== null) throw new Error(`VIGIL_TEST_BACKEND=postgres: ${why}`);
  const db = await createTestDatabase();
  await initPostgresLocker(dataDir, systemClock, db.url);
  return db;
}

export const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** An upload request: raw bytes, metadata in the query. */
export function upload(
  token: string,
  body: Buffer | string,
  query: Record<string, string | string[]>,
): InjectOptions {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const x of [v].flat()) qs.append(k, x);
  return {
    method: "POST",
    url: `/v1/evidence?${qs.toString()}`,
    headers: { ...auth(token), "content-type": "application/octet-stream" },
    payload: body,
  };
}
