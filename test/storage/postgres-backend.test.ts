/**
 * What only the PostgreSQL backend has: schema migration shared by several
 * processes, refusal of a newer schema, connection failures as
 * STORAGE_UNAVAILABLE and a pool that heals, and a state hash equal to
 * SQLite's for the same journal.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import pg from "pg";
import { openPostgresStores, type PostgresStores } from "../../src/app/postgres-stores.js";
import { decodeStored, projectAll } from "../../src/app/projection.js";
import { initLocker } from "../../src/app/init-locker.js";
import { openVigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { lifecycleRecord } from "../../src/domains/evidence/lifecycle-records.js";
import { VigilError } from "../../src/errors.js";
import { encodeRecord, type JournalRecord } from "../../src/journal/index.js";
import type { AppendItem } from "../../src/storage/log-store.js";
import { APPEND_LOCK, PG_SCHEMA_VERSION } from "../../src/storage/postgres/pg-schema.js";
import { evidenceItem } from "./conformance.js";
import { adminQuery, pgUnreachable, withTestDatabase, type TestDatabase } from "./pg-test-db.js";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const unreachable = await pgUnreachable();
const skip = unreachable !== null && process.env.CI !== "true" ? unreachable : false;

function pgTest(name: string, fn: (db: TestDatabase) => Promise<void>): void {
  void test(`postgres: ${name}`, { skip }, async () => {
    assert.equal(unreachable, null, unreachable ?? "");
    await withTestDatabase(fn);
  });
}

const isCode = (code: string) => (e: unknown) => e instanceof VigilError && e.code === code;
const record = (r: JournalRecord): AppendItem => ({ encoded: encodeRecord(r), record: r });

pgTest("processes opening a new database at once migrate it once; a newer schema is refused", async (db) => {
  const opened = await Promise.all([1, 2, 3, 4].map(() => openPostgresStores(db.url)));
  await Promise.all(opened.map((s) => s.close()));
  const { rows } = await adminQuery("SELECT value FROM meta WHERE key = 'schema_version'", [], db.url);
  assert.deepEqual(rows, [{ value: String(PG_SCHEMA_VERSION) }]);
  await adminQuery(
    "UPDATE meta SET value = $1 WHERE key = 'schema_version'",
    [String(PG_SCHEMA_VERSION + 1)],
    db.url,
  );
  await assert.rejects(openPostgresStores(db.url), (e: unknown) => {
    assert.ok(isCode("STORAGE_UNAVAILABLE")(e));
    assert.match((e as Error).message, /schema version \d+ is newer than this vigil.*upgrade vigil/);
    return true;
  });
});

void test("postgres: a server that refuses connections is STORAGE_UNAVAILABLE", async () => {
  await assert.rejects(
    openPostgresStores("postgresql://postgres@127.0.0.1:1/vigil_none"),
    isCode("STORAGE_UNAVAILABLE"),
  );
});

pgTest(
  "a writer terminated mid-append is STORAGE_UNAVAILABLE, rolled back, and the pool heals",
  async (db) => {
    const s = await openPostgresStores(db.url);
    try {
      await s.log.append([evidenceItem(randomBytes(30))], projectAll);
      // Hold the log's lock so the next append waits inside its transaction, then kill that backend.
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      await holder.query(`SELECT pg_advisory_lock(${APPEND_LOCK})`);
      const pending = assert.rejects(
        s.log.append([evidenceItem(randomBytes(30))], projectAll),
        isCode("STORAGE_UNAVAILABLE"),
      );
      const waiting = await waitFor(db, "application_name = 'vigil' AND wait_event_type = 'Lock'");
      await adminQuery("SELECT pg_terminate_backend($1)", [waiting], db.url);
      await pending;
      await holder.end();
      assert.equal(await s.log.size(), 1, "the killed append left nothing");
      // Every connection of the pool killed while idle (as by a server restart): the pool replaces them.
      await adminQuery(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'vigil'",
        [db.name],
      );
      await waitFor(db, "application_name = 'vigil'", 0);
      assert.deepEqual(await s.log.append([evidenceItem(randomBytes(30))], projectAll), {
        first: 1,
        size: 2,
      });
    } finally {
      await s.close();
    }
  },
);

pgTest("index rebuild replays to the same state hash as SQLite for the same journal", async (db) => {
  const items = [
    evidenceItem(randomBytes(40)),
    evidenceItem(randomBytes(40)),
    record(lifecycleRecord("evidence.held", { digest: "sha256:00", leaf: 0 }, "audit", new Date(0))),
    record(lifecycleRecord("evidence.expired", { digest: "sha256:00", leaf: 1 }, "retention", new Date(1))),
    record({
      type: "token.created",
      v: 1,
      id: "tok_b",
      name: "ci",
      role: "reader",
      tenant: "acme",
      secretHash: "ab".repeat(32),
      createdAt: "2026-01-01T00:00:00.000Z",
      expiresAt: null,
    }),
    record({
      type: "token.created",
      v: 1,
      id: "tok_a",
      name: "ops",
      role: "operator",
      tenant: "default",
      secretHash: "cd".repeat(32),
      createdAt: "2026-01-01T00:00:00.000Z",
      expiresAt: "2027-01-01T00:00:00.000Z",
    }),
    record({ type: "token.revoked", v: 1, id: "tok_b", reason: "left", at: "2026-02-01T00:00:00.000Z" }),
  ];
  const pg: PostgresStores = await openPostgresStores(db.url);
  const dir = mkdtempSync(join(tmpdir(), "vigil-pg-hash-"));
  try {
    initLocker(join(dir, "l"), systemClock);
    const lite = openVigil(join(dir, "l"));
    try {
      await pg.log.append(items, projectAll);
      await lite.log.append(items, projectAll);
      const live = await pg.maintenance.stateHash();
      assert.equal(live, lite.maintenance.stateHash(), "the rows written at append are SQLite's rows");
      const a = await pg.maintenance.rebuild(decodeStored, projectAll);
      const b = await pg.maintenance.rebuild(decodeStored, projectAll);
      assert.deepEqual([a.records, a.stateHash, b.stateHash], [items.length, live, live]);
      assert.equal((await pg.tokens.getToken("tok_b"))?.revokedAt, "2026-02-01T00:00:00.000Z");
      assert.deepEqual(
        (await pg.tokens.listTokens()).map((t) => t.id),
        ["tok_b", "tok_a"],
      );
      assert.deepEqual(await pg.maintenance.status(), {
        journalSize: 7,
        position: 7,
        lag: 0,
        rows: { evidence: 2 },
      });
    } finally {
      await lite.close();
    }
  } finally {
    await pg.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** The pid of the one backend matching `where` (or until there are `count`), polled. */
async function waitFor(db: TestDatabase, where: string, count = 1): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const { rows } = await adminQuery(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND ${where}`, [
      db.name,
    ]);
    if (rows.length === count) return (rows[0] as { pid?: number } | undefined)?.pid ?? 0;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no backend with ${where}`);
}
