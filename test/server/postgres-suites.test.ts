/**
 * Every server suite again, on PostgreSQL: this process's harness puts each
 * locker in a fresh database. An unreachable server fails these tests (it is
 * never a skip), and .ci/run fails unless the last test below passed.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { basename } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { pgUnreachable } from "../storage/pg-test-db.js";

process.env.VIGIL_TEST_BACKEND = "postgres";
const here = fileURLToPath(new URL(".", import.meta.url));
const self = basename(fileURLToPath(import.meta.url));
const suites = readdirSync(here)
  .sort()
  .filter((f) => f.endsWith(".test.js") && f !== self);
for (const f of suites) await import(`./${f}`);

void test("postgres: every server suite ran on PostgreSQL", async () => {
  assert.ok(suites.length >= 5, `only ${suites.length} suites found`);
  assert.equal(await pgUnreachable(), null);
});
