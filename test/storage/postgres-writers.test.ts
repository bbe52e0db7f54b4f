/**
 * Several writer processes on one PostgreSQL log: the advisory lock must give
 * dense, unshared indices and a tree whose root matches an independent
 * RFC 6962 computation over the stored leaves.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { promisify } from "node:util";
import { openPostgresStores } from "../../src/app/postgres-stores.js";
import { STAGE_MIN_ITEMS } from "../../src/storage/postgres/pg-stage.js";
import { createTestDatabase, pgUnreachable } from "./pg-test-db.js";

const run = promisify(execFile);
const CHILD = new URL("./pg-append-child.js", import.meta.url).pathname;

/** RFC 6962 section 2.1 Merkle Tree Hash, written out again here (not the journal's code). */
function mth(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return createHash("sha256")
    .update(Buffer.from([0x01]))
    .update(mth(leaves.slice(0, k)))
    .update(mth(leaves.slice(k)))
    .digest();
}

const leafHash = (bytes: Buffer) =>
  createHash("sha256")
    .update(Buffer.from([0x00]))
    .update(bytes)
    .digest();

const unreachable = await pgUnreachable();
void test(
  "two writer processes appending to one PostgreSQL log: indices 0..n-1, no gap, no duplicate, root = RFC 6962",
  { skip: unreachable !== null && process.env.CI !== "true" ? unreachable : false },
  async () => {
    assert.equal(unreachable, null, unreachable ?? "");
    const db = await createTestDatabase();
    try {
      // Small batches write directly; the middle writer's are large enough to be staged (pg-stage.ts).
      const writers = [
        [40, 7],
        [6, STAGE_MIN_ITEMS + 6],
        [40, 7],
      ] as const;
      const outs = await Promise.all(
        writers.map(([batches, size]) =>
          run(process.execPath, [CHILD, db.url, String(batches), String(size)]),
        ),
      );
      const ranges = outs
        .flatMap((o, w) => (JSON.parse(o.stdout) as number[]).map((first) => [first, writers[w]?.[1] ?? 0]))
        .sort((a, b) => (a[0] as number) - (b[0] as number));
      const n = writers.reduce((t, [batches, size]) => t + batches * size, 0);
      let next = 0;
      for (const [first, size] of ranges) {
        assert.equal(first, next, "every batch got its own dense range, right after the one before");
        next += size as number;
      }
      assert.equal(next, n);
      const s = await openPostgresStores(db.url);
      try {
        const entries = await s.log.readEntries(0, n + 10);
        assert.deepEqual(
          entries.map((e) => e.index),
          Array.from({ length: n }, (_, i) => i),
        );
        for (const e of entries) assert.deepEqual(e.leafHash, leafHash(e.bytes), `leaf ${e.index}`);
        assert.deepEqual(await s.log.root(), mth(entries.map((e) => leafHash(e.bytes))));
        assert.equal((await s.evidence.stats()).artifacts, n);
        assert.equal(await s.evidence.position(), n);
      } finally {
        await s.close();
      }
    } finally {
      await db.drop();
    }
  },
);
