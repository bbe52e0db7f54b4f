/**
 * coalesceReads: reads asked for in one turn become one read of the store,
 * each caller gets exactly its own hashes, and proofs built through it are
 * the RFC 6962 proofs of the naive reference (naive-rfc6962.ts).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import {
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  coalesceReads,
  type NodeId,
  type NodeReader,
} from "../../src/journal/index.js";
import { memoryTree } from "./memory-tree.js";
import { consistencyProof, mth, naiveLeafHash, path } from "./naive-rfc6962.js";

/** A store whose hash of a node names the node, counting the reads it serves. */
function namingStore(): { read: NodeReader; calls: NodeId[][] } {
  const calls: NodeId[][] = [];
  const read: NodeReader = (ids) => {
    calls.push([...ids]);
    return Promise.resolve(ids.map((id) => Buffer.from(`${id.level}/${id.index}`)));
  };
  return { read, calls };
}

const names = (hs: readonly Uint8Array[]) => hs.map((h) => Buffer.from(h).toString());

void test("reads asked for in one turn are one read; each caller gets its own slice, in order", async () => {
  const s = namingStore();
  const read = coalesceReads(s.read);
  const [a, b, c] = await Promise.all([
    read([{ level: 0, index: 5 }]),
    read([
      { level: 2, index: 1 },
      { level: 1, index: 7 },
    ]),
    read([]),
  ]);
  assert.equal(s.calls.length, 1);
  assert.equal(s.calls[0]?.length, 3);
  assert.deepEqual(names(a), ["0/5"]);
  assert.deepEqual(names(b), ["2/1", "1/7"]);
  assert.deepEqual(c, []);
});

void test("reads of different turns are separate reads", async () => {
  const s = namingStore();
  const read = coalesceReads(s.read);
  assert.deepEqual(names(await read([{ level: 0, index: 1 }])), ["0/1"]);
  assert.deepEqual(names(await read([{ level: 0, index: 2 }])), ["0/2"]);
  assert.equal(s.calls.length, 2);
});

void test("a failed read fails every caller of its turn, and the next turn reads again", async () => {
  let fail = true;
  const read = coalesceReads((ids) =>
    fail ? Promise.reject(new Error("store away")) : Promise.resolve(ids.map(() => new Uint8Array(32))),
  );
  const results = await Promise.allSettled([read([{ level: 0, index: 0 }]), read([{ level: 0, index: 1 }])]);
  assert.deepEqual(
    results.map((r) => r.status),
    ["rejected", "rejected"],
  );
  fail = false;
  assert.equal((await read([{ level: 0, index: 0 }])).length, 1);
});

const leaves = (n: number) =>
  Array.from({ length: n }, (_, i) => createHash("sha256").update(`leaf ${i}`).digest());

void test("proofs and roots built together through one coalesced read are RFC 6962's (naive reference)", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc
        .integer({ min: 1, max: 300 })
        .chain((n) =>
          fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 1, max: n })),
        ),
      async ([n, m, k]) => {
        const data = leaves(n).map(naiveLeafHash);
        const tree = memoryTree(data);
        let reads = 0;
        const read = coalesceReads((ids) => (reads++, tree.read(ids)));
        const [incl, cons, rootK, rootN] = await Promise.all([
          buildInclusionProof(m, n, read),
          buildConsistencyProof(k, n, read),
          buildRoot(k, read),
          buildRoot(n, read),
        ]);
        assert.equal(reads, 1);
        assert.deepEqual(
          incl.map((h) => Buffer.from(h)),
          path(m, data),
        );
        assert.deepEqual(
          cons.map((h) => Buffer.from(h)),
          consistencyProof(k, data),
        );
        assert.deepEqual(Buffer.from(rootK as Uint8Array), mth(data.slice(0, k)));
        assert.deepEqual(Buffer.from(rootN as Uint8Array), mth(data));
      },
    ),
    { numRuns: 200 },
  );
});
