/** key.rotated records: statements signed by both keys, the key chain's spans, trust walked offline. */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  buildKeyChain,
  checkRotation,
  ed25519Signer,
  ed25519Verifier,
  keyRotated,
  rotationText,
  signNote,
  trustThroughRotations,
  verifiersFor,
  type Signer,
  type Verifier,
} from "../../src/journal/index.js";

const ORIGIN = "vigil.test/keys";
/** Fixed test seeds: public, never for anything real. */
const K = [1, 2, 3, 4].map((n) => ed25519Signer(ORIGIN, Buffer.alloc(32, n)));
const V = K.map((s) => ed25519Verifier(s.name, s.publicKey));
const AT = new Date("2026-12-03T12:00:00Z");
const k = (i: number) => K[i] as Signer;
const v = (i: number) => V[i] as Verifier;
const ids = (vs: readonly Verifier[]) => vs.map((x) => V.findIndex((y) => y.keyId === x.keyId));

void test("a rotation record checks out: its statement restates it and both keys signed it", () => {
  const r = keyRotated(ORIGIN, k(0), k(1), AT);
  assert.equal(r.statement.startsWith(rotationText(r)), true);
  const c = checkRotation(r);
  assert.ok(!("problem" in c));
  assert.deepEqual(ids([c.from, c.to]), [0, 1]);
});

void test("tampered rotations are named: another successor, one signature, a foreign signer, bad fields", () => {
  const r = keyRotated(ORIGIN, k(0), k(1), AT);
  const swapped = { ...r, to: keyRotated(ORIGIN, k(0), k(2), AT).to };
  assert.match(JSON.stringify(checkRotation(swapped)), /does not restate/);
  const onlyOld = { ...r, statement: signNote(rotationText(r), [k(0)]) };
  assert.match(JSON.stringify(checkRotation(onlyOld)), /no verifiable signatures/);
  const forged = { ...r, statement: signNote(rotationText(r), [k(2), k(1)]) };
  assert.match(JSON.stringify(checkRotation(forged)), /both the old and the new key/);
  assert.match(JSON.stringify(checkRotation({ ...r, from: "nope" })), /bad verifier key/);
  assert.match(JSON.stringify(checkRotation({ ...r, v: 2 })), /not a key.rotated v1/);
  assert.match(JSON.stringify(checkRotation(keyRotated(ORIGIN, k(0), k(0), AT))), /to itself/);
});

void test("the chain gives each key its sizes: the old key up to the record, the new one from it", () => {
  const chain = buildKeyChain(
    [
      { index: 9, record: keyRotated(ORIGIN, k(0), k(1), AT) },
      { index: 19, record: keyRotated(ORIGIN, k(1), k(2), AT) },
    ],
    v(2),
  );
  assert.deepEqual(chain.problems, []);
  assert.deepEqual(ids(verifiersFor(chain, 1)), [0]);
  assert.deepEqual(ids(verifiersFor(chain, 10)), [0, 1], "the old key's seal covers the record");
  assert.deepEqual(ids(verifiersFor(chain, 11)), [1]);
  assert.deepEqual(ids(verifiersFor(chain, 20)), [1, 2]);
  assert.deepEqual(ids(verifiersFor(chain, 21)), [2]);
  assert.deepEqual(ids(verifiersFor(buildKeyChain([], v(3)), 5)), [3]);
  const rotations = [{ index: 9, record: keyRotated(ORIGIN, k(0), k(1), AT) }];
  const pinned = buildKeyChain(rotations, v(0));
  assert.deepEqual(
    [pinned.problems, ids(verifiersFor(pinned, 20))],
    [[], [1]],
    "a replica pinned to the first key",
  );
});

void test("a break in the chain is reported: a bad record, a rotation from a retired key, another key in use", () => {
  const bad = { ...keyRotated(ORIGIN, k(0), k(1), AT), statement: "x" };
  const broken = buildKeyChain(
    [
      { index: 3, record: bad },
      { index: 5, record: keyRotated(ORIGIN, k(0), k(1), AT) },
      { index: 7, record: keyRotated(ORIGIN, k(0), k(2), AT) },
    ],
    v(3),
  );
  assert.deepEqual(broken.problems, [
    "key.rotated record at leaf 3: statement: malformed note: no blank line before signatures (it must be signed by both the old and the new key)",
    "key.rotated record at leaf 7 rotates from a key that was not in use",
    "the trusted key (the signing key in use, or the key a replica follows) is not a key of the chain",
  ]);
});

void test("offline trust walks rotation statements both ways from a trusted key, never through a bad one", () => {
  const chain = [keyRotated(ORIGIN, k(0), k(1), AT), keyRotated(ORIGIN, k(1), k(2), AT)];
  assert.deepEqual(ids(trustThroughRotations(v(0), chain)), [0, 1, 2]);
  assert.deepEqual(ids(trustThroughRotations(v(2), chain)), [2, 1, 0]);
  const forged = { ...keyRotated(ORIGIN, k(0), k(3), AT), statement: signNote("x\n", [k(3)]) };
  assert.deepEqual(ids(trustThroughRotations(v(0), [forged])), [0]);
  assert.deepEqual(ids(trustThroughRotations(v(3), chain)), [3]);
});
