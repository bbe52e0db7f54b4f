/**
 * RFC 6962 reference tree: the 8 classic CT test leaves, every node hash,
 * the roots for sizes 0..8, the hasher vectors and base proofs.
 * Source: test/fixtures/tlog/rfc6962-reference-tree.json, transcribed from
 * transparency-dev/merkle @ 417fb0c3 (testonly/constants.go,
 * rfc6962/rfc6962_test.go, cmd/proofgen/main.go) and golang/mod @ fe2ec04f
 * (sumdb/tlog/note_test.go); see SOURCES.md.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  frontierRoot,
  leafHash,
  nodeHash,
  ProofRangeError,
  toHex,
  verifyConsistency,
  verifyInclusion,
} from "../../src/journal/index.js";
import { hex, loadJson } from "./fixtures.js";
import { memoryTree } from "./memory-tree.js";

interface HasherVector {
  desc: string;
  op: "emptyRoot" | "leaf" | "node";
  inputHex?: string;
  leftHex?: string;
  rightHex?: string;
  wantHex: string;
}

interface ReferenceTree {
  leafInputsHex: string[];
  nodeHashesByLevelHex: string[][];
  rootHashesBySizeHex: string[];
  hasherVectors: HasherVector[];
  proofVectors: {
    inclusion: { leafIndex: number; treeSize: number; proof: string[] }[];
    consistency: { size1: number; size2: number; proof: string[] }[];
  };
}

const ref = loadJson<ReferenceTree>("rfc6962-reference-tree.json");
const leaves = ref.leafInputsHex.map((h) => leafHash(hex(h)));
const tree = memoryTree(leaves);
const hexes = (hs: readonly Uint8Array[]): string[] => hs.map(toHex);

function rootAt(size: number): Buffer {
  return hex(ref.rootHashesBySizeHex[size] ?? "");
}

void test("the fixture holds 8 leaves, 4 levels and roots for sizes 0..8", () => {
  assert.equal(ref.leafInputsHex.length, 8);
  assert.deepEqual(
    ref.nodeHashesByLevelHex.map((l) => l.length),
    [8, 4, 2, 1],
  );
  assert.equal(ref.rootHashesBySizeHex.length, 9);
});

void test("leaf hashes are SHA-256(0x00 || input) (level 0)", () => {
  assert.deepEqual(hexes(leaves), ref.nodeHashesByLevelHex[0]);
});

void test("each interior node is SHA-256(0x01 || left || right) of the level below", () => {
  for (let level = 1; level < ref.nodeHashesByLevelHex.length; level++) {
    const below = (ref.nodeHashesByLevelHex[level - 1] ?? []).map(hex);
    const want = ref.nodeHashesByLevelHex[level] ?? [];
    want.forEach((h, i) => {
      const got = nodeHash(below[2 * i] ?? Buffer.alloc(0), below[2 * i + 1] ?? Buffer.alloc(0));
      assert.equal(toHex(got), h, `level ${level} index ${i}`);
    });
  }
});

void test("appendLeaves stores exactly the published nodes of levels 1..3", () => {
  const got = tree.nodes.map((n) => `${n.level}/${n.index}/${toHex(n.hash)}`).sort();
  const want = ref.nodeHashesByLevelHex.flatMap((hs, level) =>
    level === 0 ? [] : hs.map((h, index) => `${level}/${index}/${h}`),
  );
  assert.deepEqual(got, want.sort());
});

void test("the root for size 0 is EMPTY_ROOT = SHA-256('')", () => {
  assert.equal(toHex(EMPTY_ROOT), ref.rootHashesBySizeHex[0]);
  assert.equal(frontierRoot(EMPTY_FRONTIER), null);
});

void test("frontierRoot after appending the first n leaves gives the published root, n = 1..8", () => {
  for (let n = 1; n <= 8; n++) {
    const root = frontierRoot(appendLeaves(EMPTY_FRONTIER, leaves.slice(0, n)).frontier);
    assert.equal(root && toHex(root), ref.rootHashesBySizeHex[n], `size ${n}`);
  }
});

void test("buildRoot from stored nodes gives the published root for sizes 0..8", async () => {
  assert.equal(await buildRoot(0, tree.read), null);
  for (let n = 1; n <= 8; n++) {
    const root = await buildRoot(n, tree.read);
    assert.equal(root && toHex(root), ref.rootHashesBySizeHex[n], `size ${n}`);
  }
});

for (const v of ref.hasherVectors) {
  void test(`hasher: ${v.desc}`, () => {
    const got =
      v.op === "emptyRoot"
        ? EMPTY_ROOT
        : v.op === "leaf"
          ? leafHash(hex(v.inputHex ?? ""))
          : nodeHash(hex(v.leftHex ?? ""), hex(v.rightHex ?? ""));
    assert.equal(toHex(got), v.wantHex);
  });
}

for (const v of ref.proofVectors.inclusion) {
  void test(`inclusion proof for leaf ${v.leafIndex} in size ${v.treeSize} matches the published one`, async () => {
    const proof = await buildInclusionProof(v.leafIndex, v.treeSize, tree.read);
    assert.deepEqual(hexes(proof), v.proof);
    const leaf = leaves[v.leafIndex] ?? Buffer.alloc(0);
    assert.ok(verifyInclusion(v.leafIndex, v.treeSize, leaf, proof, rootAt(v.treeSize)));
  });
}

for (const v of ref.proofVectors.consistency) {
  void test(`consistency proof ${v.size1} -> ${v.size2} matches the published one`, async () => {
    const proof = await buildConsistencyProof(v.size1, v.size2, tree.read);
    assert.deepEqual(hexes(proof), v.proof);
    assert.ok(verifyConsistency(v.size1, v.size2, rootAt(v.size1), rootAt(v.size2), proof));
  });
}

void test("every inclusion and consistency proof within the 8-leaf tree verifies", async () => {
  for (let n = 1; n <= 8; n++) {
    for (let m = 0; m < n; m++) {
      const proof = await buildInclusionProof(m, n, tree.read);
      assert.ok(verifyInclusion(m, n, leaves[m] ?? Buffer.alloc(0), proof, rootAt(n)), `leaf ${m} of ${n}`);
    }
    for (let m = 1; m <= n; m++) {
      const proof = await buildConsistencyProof(m, n, tree.read);
      assert.ok(verifyConsistency(m, n, rootAt(m), rootAt(n), proof), `${m} -> ${n}`);
    }
  }
});

void test("a proof reads each stored node at most once and nothing beyond the tree size", async () => {
  tree.requested.length = 0;
  await buildInclusionProof(5, 6, tree.read);
  const ids = tree.requested.map((id) => `${id.level}/${id.index}`);
  assert.deepEqual(new Set(ids).size, ids.length);
  for (const id of tree.requested) assert.ok((id.index + 1) * 2 ** id.level <= 6, `${id.level}/${id.index}`);
});

void test("proof builders reject out-of-range requests", async () => {
  await assert.rejects(buildInclusionProof(8, 8, tree.read), ProofRangeError);
  await assert.rejects(buildInclusionProof(-1, 8, tree.read), ProofRangeError);
  await assert.rejects(buildInclusionProof(0, 0, tree.read), ProofRangeError);
  await assert.rejects(buildConsistencyProof(5, 4, tree.read), ProofRangeError);
  await assert.rejects(buildConsistencyProof(1.5, 4, tree.read), ProofRangeError);
  assert.deepEqual(await buildConsistencyProof(0, 8, tree.read), []);
  assert.deepEqual(await buildConsistencyProof(8, 8, tree.read), []);
});
