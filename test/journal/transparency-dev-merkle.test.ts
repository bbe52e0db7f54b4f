/**
 * The transparency-dev/merkle proof corpus: valid and mutated RFC 6962
 * inclusion and consistency proofs, each with the verdict the reference
 * verifier gives. Source: test/fixtures/tlog/transparency-dev-merkle/testdata,
 * from transparency-dev/merkle @ 417fb0c314750d94e53942e9f92e79b6d35915db,
 * testdata/{inclusion,consistency}; see SOURCES.md. Semantics (per SOURCES.md):
 * leafIdx is 0-based, leafHash is already SHA-256(0x00 || data), byte fields
 * are base64, wantErr: true means a verifier must reject.
 *
 * The folder also holds subtreeinclusion/ and subtreeconsistency/ (322 cases,
 * 518 in all) for subtree proofs, which the journal does not implement.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { verifyConsistency, verifyInclusion } from "../../src/journal/index.js";
import { listJson, tlogPath } from "./fixtures.js";

interface InclusionCase {
  leafIdx: number;
  treeSize: number;
  root: string;
  leafHash: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

interface ConsistencyCase {
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[] | null;
  desc: string;
  wantErr: boolean;
}

const DATA = "transparency-dev-merkle/testdata";
const b64 = (s: string): Buffer => Buffer.from(s, "base64");
const proofOf = (p: string[] | null): Buffer[] => (p ?? []).map(b64);

/**
 * Where the journal is deliberately stricter than the reference: roots must
 * be SHA-256 sized (32 bytes). This case has equal sizes (1, 1), an empty
 * proof and equal 12-byte placeholder roots ("don't care 2"); the reference
 * compares the bytes and accepts, the journal rejects any root that is not a
 * hash. The case is asserted as rejected so that a change in either direction
 * is noticed.
 */
const STRICTER = new Set(["consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"]);

function load<T>(kind: string): { name: string; c: T }[] {
  return listJson(`${DATA}/${kind}`).map((file) => ({
    name: `${kind}/${file}`,
    c: JSON.parse(readFileSync(join(tlogPath(`${DATA}/${kind}`), file), "utf8")) as T,
  }));
}

const inclusion = load<InclusionCase>("inclusion");
const consistency = load<ConsistencyCase>("consistency");

void test("the corpus holds all 98 inclusion and 98 consistency cases", () => {
  // Exact counts, so a broken walk of the folder cannot pass silently.
  assert.equal(inclusion.length, 98);
  assert.equal(consistency.length, 98);
  assert.ok(inclusion.some((x) => !x.c.wantErr) && inclusion.some((x) => x.c.wantErr));
  assert.ok(consistency.some((x) => !x.c.wantErr) && consistency.some((x) => x.c.wantErr));
  for (const name of STRICTER)
    assert.ok(
      consistency.some((x) => x.name === name),
      `${name} exists`,
    );
});

for (const { name, c } of inclusion) {
  void test(`${name}: ${c.desc}`, () => {
    const ok = verifyInclusion(c.leafIdx, c.treeSize, b64(c.leafHash), proofOf(c.proof), b64(c.root));
    assert.equal(ok, !c.wantErr);
  });
}

for (const { name, c } of consistency) {
  void test(`${name}: ${c.desc}`, () => {
    const ok = verifyConsistency(c.size1, c.size2, b64(c.root1), b64(c.root2), proofOf(c.proof));
    assert.equal(ok, STRICTER.has(name) ? false : !c.wantErr);
  });
}

void test("equal sizes with an empty proof and equal 32-byte roots verify (the STRICTER case with real hashes)", () => {
  const root = b64("47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  assert.ok(verifyConsistency(1, 1, root, root, []));
  assert.ok(!verifyConsistency(1, 1, root, root.subarray(0, 12), []));
});
