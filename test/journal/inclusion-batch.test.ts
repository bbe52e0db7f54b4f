/**
 * InclusionBatch (many inclusion proofs against one tree, sharing verified
 * nodes) must say exactly what verifyInclusion says for each proof, whatever
 * the order of the proofs and whatever was tampered with. The oracle for
 * the proofs and roots is naive-rfc6962.ts (RFC 6962 s2.1.1 PATH and MTH).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { InclusionBatch, isHashB64, verifyInclusion } from "../../src/journal/index.js";
import { mth, naiveLeafHash, path } from "./naive-rfc6962.js";

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

interface Case {
  readonly index: number;
  readonly leaf: Uint8Array;
  readonly proof: Uint8Array[];
}

/** A tamper of one case: another leaf, a flipped bit in one sibling, a dropped or added sibling. */
const tamper = fc.oneof(
  fc.constant({ kind: "none" as const }),
  fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(255) }),
  fc.record({ kind: fc.constant("drop" as const), at: fc.nat() }),
  fc.constant({ kind: "extra" as const }),
  fc.record({ kind: fc.constant("index" as const), by: fc.integer({ min: 1, max: 5 }) }),
);
type Tamper = typeof tamper extends fc.Arbitrary<infer T> ? T : never;

function apply(c: Case, t: Tamper, size: number): Case {
  const proof = c.proof.map((p) => Buffer.from(p));
  if (t.kind === "flip" && proof.length > 0) {
    const p = proof[t.at % proof.length] as Buffer;
    p[t.bit % 32] = (p[t.bit % 32] as number) ^ 1;
  }
  if (t.kind === "drop" && proof.length > 0) proof.splice(t.at % proof.length, 1);
  if (t.kind === "extra") proof.push(Buffer.alloc(32, 7));
  const index = t.kind === "index" ? (c.index + t.by) % size : c.index;
  return { index, leaf: c.leaf, proof };
}

void test("a batch gives verifyInclusion's answer for every proof, in any order, tampered or not", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 70 }),
      fc.array(fc.tuple(fc.nat(), tamper), { minLength: 1, maxLength: 60 }),
      (size, picks) => {
        const leaves = Array.from({ length: size }, (_, i) => naiveLeafHash(Buffer.from(`leaf ${i}`)));
        const root = mth(leaves);
        const batch = new InclusionBatch(size, root);
        for (const [pick, t] of picks) {
          const index = pick % size;
          const c = apply({ index, leaf: leaves[index] as Buffer, proof: path(index, leaves) }, t, size);
          const expected = verifyInclusion(c.index, size, c.leaf, c.proof, root);
          const got = batch.verify(c.index, c.leaf, c.proof.map(b64));
          assert.equal(got.ok, expected, `size ${size}, leaf ${c.index}, ${JSON.stringify(t)}`);
        }
      },
    ),
    { seed: 6962, numRuns: 300 },
  );
});

void test("the shared work is real: a whole tree's proofs in leaf order cost one hash each, not log2(n)", () => {
  const size = 4096;
  const leaves = Array.from({ length: size }, (_, i) => naiveLeafHash(Buffer.from(`leaf ${i}`)));
  const batch = new InclusionBatch(size, mth(leaves));
  for (let i = 0; i < size; i++)
    assert.equal(batch.verify(i, leaves[i] as Buffer, path(i, leaves).map(b64)).ok, true);
  // One by one: 12 hashes per proof (49,152). Shared: each interior node is computed once (the walk
  // from its right child stops where its left sibling's walk computed the same parent), n - 1 = 4,095.
  assert.equal(batch.hashed, size - 1);
});

void test("a sibling that is not canonical base64 of 32 bytes is reported by its position", () => {
  const leaves = Array.from({ length: 8 }, (_, i) => naiveLeafHash(Buffer.from(`leaf ${i}`)));
  const batch = new InclusionBatch(8, mth(leaves));
  const proof = path(3, leaves).map(b64);
  for (const bad of [
    "",
    "not base64",
    `${(proof[1] as string).slice(0, -2)}B=`,
    Buffer.alloc(31).toString("base64"),
  ]) {
    const p = [...proof];
    p[1] = bad;
    assert.deepEqual(batch.verify(3, leaves[3] as Buffer, p), { ok: false, malformed: 1 });
  }
  assert.deepEqual(batch.verify(3, leaves[3] as Buffer, proof), { ok: true });
});

void test("isHashB64 accepts exactly canonical base64 of 32 bytes (RFC 4648 s4: 43 characters, the last with its low 2 bits zero, and one pad)", () => {
  const spec = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
  const alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-_ .\u00e9\u0100\u{1F600}";
  const near = fc
    .tuple(
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.nat(44),
      fc.constantFrom(...alphabet),
      fc.nat(3),
    )
    .map(([bytes, at, c, how]) => {
      const s = b64(bytes);
      if (how === 0) return s;
      if (how === 1) return s.slice(0, at) + c + s.slice(at + 1);
      return how === 2 ? s.slice(0, at) : `${s}${c}`;
    });
  fc.assert(
    fc.property(fc.oneof(near, fc.string({ maxLength: 46 })), (s) => {
      assert.equal(isHashB64(s), spec.test(s), JSON.stringify(s));
    }),
    { seed: 4648, numRuns: 20_000 },
  );
  for (const v of [null, 32, Buffer.alloc(32), ["A".repeat(43) + "="]]) assert.equal(isHashB64(v), false);
});
