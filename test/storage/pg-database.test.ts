/**
 * PgDatabase's handling of a connection that fails: a client whose work
 * failed is destroyed, and an 'error' the connection emits afterwards (as
 * node-postgres does when the server's FATAL for a terminated backend
 * arrives while the socket closes) must not go unheard: an EventEmitter
 * 'error' without a listener throws, which crashed `vigil serve` in the
 * PostgreSQL outage test under load. A fake pool stands in for pg here so
 * the late event can be sent deterministically.
 */
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import type { PgClient, PgPool, PgResult } from "../../src/storage/postgres/driver.js";
import { PgDatabase } from "../../src/storage/postgres/pg-database.js";

class FakeClient extends EventEmitter implements PgClient {
  released: Array<Error | boolean | undefined> = [];
  constructor(private readonly fail: boolean) {
    super();
  }
  query(): Promise<PgResult> {
    return this.fail
      ? Promise.reject(Object.assign(new Error("duplicate key value"), { code: "23505" }))
      : Promise.resolve({ rows: [], rowCount: 0 });
  }
  release(err?: Error | boolean): void {
    this.released.push(err);
  }
}

function poolOf(client: FakeClient): PgPool {
  return {
    connect: () => Promise.resolve(client),
    query: () => Promise.resolve({ rows: [], rowCount: 0 }),
    end: () => Promise.resolve(),
  };
}

void test("a client destroyed after a failed statement may still emit 'error' without crashing the process", async () => {
  const client = new FakeClient(true);
  const db = new PgDatabase(poolOf(client));
  await assert.rejects(db.rows("read", "SELECT 1"));
  assert.deepEqual(client.released, [true], "destroyed, not returned to the pool");
  assert.doesNotThrow(() =>
    client.emit("error", new Error("terminating connection due to administrator command")),
  );
});

void test("a client returned to the pool carries no listener of ours (the pool's own takes over)", async () => {
  const client = new FakeClient(false);
  const db = new PgDatabase(poolOf(client));
  await db.rows("read", "SELECT 1");
  assert.deepEqual(client.released, [undefined]);
  assert.equal(client.listenerCount("error"), 0);
});
