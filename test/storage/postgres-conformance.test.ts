import assert from "node:assert/strict";
import { test } from "node:test";
import { openPostgresStores, type PostgresStores } from "../../src/app/postgres-stores.js";
import {
  runLifecycleConformance,
  runStorageConformance,
  type StoreFactory,
  type Stores,
} from "./conformance.js";
import { createTestDatabase, pgUnreachable } from "./pg-test-db.js";

/** The PostgreSQL adapters, each test in a database of its own (CREATE DATABASE … DROP at the end). */
const postgres: StoreFactory = {
  async create() {
    const db = await createTestDatabase();
    let s: PostgresStores = await openPostgresStores(db.url);
    const view = (): Stores => ({ log: s.log, blobs: s.blobs, evidence: s.evidence });
    return {
      ...view(),
      get log() {
        return s.log;
      },
      async reopen() {
        await s.close();
        s = await openPostgresStores(db.url);
        return view();
      },
      async destroy() {
        try {
          // Nothing staged may be left behind by any test (the PostgreSQL twin of an empty tmp/).
          assert.equal(await s.blobs.orphanChunks(), 0);
        } finally {
          await s.close();
          await db.drop();
        }
      },
    };
  },
};

const unreachable = await pgUnreachable();
if (unreachable === null) {
  runStorageConformance("postgres", postgres);
  runLifecycleConformance("postgres", postgres);
} else if (process.env.CI === "true") {
  void test("postgres: the server must be reachable in CI", () => assert.fail(unreachable));
} else {
  void test("postgres: conformance", { skip: unreachable }, () => undefined);
}
