/**
 * PgDatabase.transaction's opening statements, on the real server: they run
 * with BEGIN in one round trip (the append takes its lock and reads the size
 * that way), their results reach the body in order, and a failure among them
 * or in the body leaves nothing behind.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { openPostgres } from "../../src/storage/postgres/open-pool.js";
import type { PgDatabase } from "../../src/storage/postgres/pg-database.js";
import { pgUnreachable, withTestDatabase } from "./pg-test-db.js";

const unreachable = await pgUnreachable();
const skip = unreachable !== null && process.env.CI !== "true" ? unreachable : false;

/** A test on a fresh database holding an empty table t (a int), through a pool of `max` connections. */
function withTable(name: string, max: number, fn: (db: PgDatabase) => Promise<void>): void {
  void test(name, { skip }, async () => {
    assert.equal(unreachable, null, unreachable ?? "");
    await withTestDatabase(async ({ url }) => {
      const db = await openPostgres(url, { max });
      try {
        await db.rows("create", "CREATE TABLE t (a int)");
        await fn(db);
      } finally {
        await db.close();
      }
    });
  });
}

withTable("opening statements run inside the transaction, their results in order", 2, async (db) => {
  const seen = await db.transaction(
    "opening",
    async (q, opened) => {
      await q.query("INSERT INTO t VALUES ($1)", [3]);
      return opened.map((r) => r.rows);
    },
    ["INSERT INTO t VALUES (1), (2)", "SELECT count(*)::int AS n FROM t", "SELECT 'x' AS s"],
  );
  // BEGIN's own (empty) result is not among them; the count sees the opening's own insert.
  assert.deepEqual(seen, [[], [{ n: 2 }], [{ s: "x" }]]);
  assert.deepEqual(await db.rows("read", "SELECT a FROM t ORDER BY a"), [{ a: 1 }, { a: 2 }, { a: 3 }]);
});

withTable("a failing opening statement or body rolls back what the opening wrote", 1, async (db) => {
  let ran = false;
  await assert.rejects(
    db.transaction(
      "opening fails",
      async () => {
        ran = true;
      },
      ["INSERT INTO t VALUES (1)", "SELECT 1 / 0"],
    ),
  );
  assert.equal(ran, false, "the body does not run after a failed opening");
  await assert.rejects(
    db.transaction(
      "body fails",
      async () => {
        throw new Error("body");
      },
      ["INSERT INTO t VALUES (2)"],
    ),
    /body/,
  );
  // One connection: had either failure left its transaction open, this would see its rows.
  assert.deepEqual(await db.rows("read", "SELECT a FROM t"), []);
});
