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

pgTest("a version 1 database is brought to version 2, its staged chunks and files kept", async (db) => {
  await (await openPostgresStores(db.url)).close();
  // Back to version 1's tables (no staging times), holding a committed run.
  await adminQuery("ALTER TABLE blob_chunks DROP COLUMN staged_at", [], db.url);
  await adminQuery("ALTER TABLE blob_files DROP COLUMN committed_at", [], db.url);
  await adminQuery("INSERT INTO blob_chunks (stage, seq, data) VALUES (5, 0, '\\x01')", [], db.url);
  await adminQuery("INSERT INTO blob_files (digest, size, stage) VALUES ('\\x02', 1, 5)", [], db.url);
  await adminQuery("UPDATE meta SET value = '1' WHERE key = 'schema_version'", [], db.url);
  const before = Date.now();
  await (await openPostgresStores(db.url)).close();
  const v = await adminQuery("SELECT value FROM meta WHERE key = 'schema_version'", [], db.url);
  assert.deepEqual(v.rows, [{ value: String(PG_SCHEMA_VERSION) }]);
  const { rows } = await adminQuery(
    "SELECT c.staged_at, f.committed_at FROM blob_chunks c JOIN blob_files f USING (stage)",
    [],
    db.url,
  );
  assert.equal(rows.length, 1, "the run survives the migration");
  // Rows from before count as written at the migration, so cleanup spares them for --min-age.
  for (const t of Object.values(rows[0] as Record<string, Date>))
    assert.ok(t.getTime() >= before - 5_000, `${t.toISOString()} is the migration's time`);
});

void test("postgres: a server that refuses connections is STORAGE_UNAVAILABLE", async () => {
  await assert.rejects(
    openPostgresStores("postgresql://postgres@127.0.0.1:1/vigil_none"),
    isCode("STORAGE_UNAVAILABLE"),
  );
});

pgTest(
  "a writer killed waiting for the lock is retried; killed mid-append it is STORAGE_UNAVAILABLE and rolled back; the pool heals",
  async (db) => {
    const s = await openPostgresStores(db.url);
    try {
      await s.log.append([evidenceItem(randomBytes(30))], projectAll);
      const holder = new pg.Client({ connectionString: db.url });
      await holder.connect();
      // Killed in its first statement (BEGIN, waiting for the log's lock): nothing was done, so the
      // pool runs the append again on a fresh connection, and it lands once the lock is free.
      await holder.query(`SELECT pg_advisory_lock(${APPEND_LOCK})`);
      const retried = s.log.append([evidenceItem(randomBytes(30))], projectAll);
      const first = await waitFor(db, "application_name = 'vigil' AND wait_event_type = 'Lock'");
      await adminQuery("SELECT pg_terminate_backend($1)", [first], db.url);
      await waitFor(db, `application_name = 'vigil' AND wait_event_type = 'Lock' AND pid <> ${first}`);
      await holder.query(`SELECT pg_advisory_unlock(${APPEND_LOCK})`);
      assert.deepEqual(await retried, { first: 1, size: 2 });
      // Killed mid-append, past its first statement (its insert waits for a row the holder locked):
      // STORAGE_UNAVAILABLE, and the transaction is rolled back.
      await holder.query("BEGIN");
      await holder.query("SELECT 1 FROM meta WHERE key = 'index_position' FOR UPDATE");
      const pending = assert.rejects(
        s.log.append([evidenceItem(randomBytes(30))], projectAll),
        isCode("STORAGE_UNAVAILABLE"),
      );
      const waiting = await waitFor(db, "application_name = 'vigil' AND wait_event_type = 'Lock'");
      await adminQuery("SELECT pg_terminate_backend($1)", [waiting], db.url);
      await pending;
      await holder.query("ROLLBACK");
      await holder.end();
      assert.equal(await s.log.size(), 2, "the killed append left nothing");
      // Every connection of the pool killed while idle (as by a server restart): the pool replaces them.
      await adminQuery(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND application_name = 'vigil'",
        [db.name],
      );
      await waitFor(db, "application_name = 'vigil'", 0);
      assert.deepEqual(await s.log.append([evidenceItem(randomBytes(30))], projectAll), {
        first: 2,
        size: 3,
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
