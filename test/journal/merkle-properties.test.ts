/**
 * Property tests for the RFC 6962 Merkle log (RFC 6962 s2.1, RFC 9162
 * s2.1.3-2.1.4) and for C2SP signed-note signatures. The oracle is
 * naive-rfc6962.ts: the RFC's recursive definitions, hashing with node:crypto.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  ed25519Signer,
  ed25519Verifier,
  EMPTY_FRONTIER,
  frontierRoot,
  NoteFormatError,
  openNote,
  signNote,
  verifyConsistency,
  verifyInclusion,
} from "../../src/journal/index.js";
import { memoryTree, type MemoryTree } from "./memory-tree.js";
import {
  consistencyProof,
  mth,
  naiveLeafHash,
  naiveVerifyConsistency,
  naiveVerifyInclusion,
  path,
} from "./naive-rfc6962.js";

interface Tree extends MemoryTree {
  leaves: Buffer[];
  root: Uint8Array;
}

/**
 * n in [min, max] distinct leaves, so that no two leaves (and no sibling pair)
 * share a hash. The length is drawn explicitly: fast-check's default size
 * would otherwise keep arrays to about ten items whatever maxLength says.
 */
const leafData = (min: number, max: number): fc.Arbitrary<Uint8Array[]> =>
  fc.integer({ min, max }).chain((n) =>
    fc.uniqueArray(fc.uint8Array({ maxLength: 12 }), {
      minLength: n,
      maxLength: n,
      selector: (d) => Buffer.from(d).toString("hex"),
    }),
  );

function treeOf(data: readonly Uint8Array[]): Tree {
  const leaves = data.map(naiveLeafHash);
  const t = memoryTree(leaves);
  const root = frontierRoot(t.frontier);
  assert.ok(root !== null);
  return { ...t, leaves, root };
}

const leafAt = (t: Tree, i: number): Buffer => t.leaves[i] ?? Buffer.alloc(0);

/** A copy of `bytes` with bit `bit` (0 = most significant of byte 0) flipped. */
function flip(bytes: Uint8Array, bit: number): Buffer {
  const out = Buffer.from(bytes);
  out[bit >> 3] = (out[bit >> 3] ?? 0) ^ (0x80 >> (bit & 7));
  return out;
}

function withElement(proof: readonly Uint8Array[], i: number, bit: number): Uint8Array[] {
  return proof.map((p, j) => (j === i ? flip(p, bit) : p));
}

const bit256 = fc.integer({ min: 0, max: 255 });

void test("property: the root equals the naive MTH, and every inclusion proof is PATH and verifies", async () => {
  await fc.assert(
    fc.asyncProperty(leafData(1, 300), async (data) => {
      const t = treeOf(data);
      assert.deepEqual(t.root, mth(t.leaves));
      for (let i = 0; i < t.leaves.length; i++) {
        const proof = await buildInclusionProof(i, t.leaves.length, t.read);
        assert.deepEqual(proof, path(i, t.leaves), `PATH(${i}, ${t.leaves.length})`);
        assert.ok(verifyInclusion(i, t.leaves.length, leafAt(t, i), proof, t.root), `leaf ${i}`);
      }
    }),
    { numRuns: 25 },
  );
});

void test("property: the frontier root of every prefix equals the naive MTH of that prefix", () => {
  fc.assert(
    fc.property(leafData(0, 150), (data) => {
      let frontier = EMPTY_FRONTIER;
      const leaves = data.map(naiveLeafHash);
      for (let n = 1; n <= leaves.length; n++) {
        frontier = appendLeaves(frontier, leaves.slice(n - 1, n)).frontier;
        assert.deepEqual(frontierRoot(frontier), mth(leaves.slice(0, n)), `size ${n}`);
      }
    }),
    { numRuns: 20 },
  );
});

void test("property: every consistency proof (m in 1..n) is PROOF(m, D[n]) and verifies", async () => {
  await fc.assert(
    fc.asyncProperty(leafData(1, 300), async (data) => {
      const t = treeOf(data);
      const n = t.leaves.length;
      const roots = prefixRoots(t.leaves);
      for (let m = 1; m <= n; m++) {
        const proof = await buildConsistencyProof(m, n, t.read);
        assert.deepEqual(proof, consistencyProof(m, t.leaves), `PROOF(${m}, ${n})`);
        assert.ok(verifyConsistency(m, n, roots[m] ?? t.root, t.root, proof), `${m} -> ${n}`);
      }
    }),
    { numRuns: 25 },
  );
});

void test("property: consistency proofs between two earlier sizes of a larger log verify", async () => {
  const sizes = fc.tuple(leafData(2, 300), fc.nat(), fc.nat());
  await fc.assert(
    fc.asyncProperty(sizes, async ([data, a, b]) => {
      const t = treeOf(data);
      const n = 1 + (a % t.leaves.length);
      const m = 1 + (b % n);
      const roots = prefixRoots(t.leaves);
      const proof = await buildConsistencyProof(m, n, t.read);
      assert.ok(verifyConsistency(m, n, roots[m] ?? t.root, roots[n] ?? t.root, proof), `${m} -> ${n}`);
    }),
    { numRuns: 100 },
  );
});

/** roots[s] = MTH of the first s leaves, from the frontier. */
function prefixRoots(leaves: readonly Uint8Array[]): Uint8Array[] {
  const roots: Uint8Array[] = [];
  let frontier = EMPTY_FRONTIER;
  for (let n = 1; n <= leaves.length; n++) {
    frontier = appendLeaves(frontier, leaves.slice(n - 1, n)).frontier;
    roots[n] = frontierRoot(frontier) ?? new Uint8Array(0);
  }
  return roots;
}

const inclusionCase = fc
  .tuple(leafData(2, 300), fc.nat(), fc.nat(), bit256)
  .map(([data, i, e, bit]) => ({ data, i: i % data.length, e, bit }));

void test("property: inclusion fails after flipping any bit of a proof element, the root or the leaf", async () => {
  await fc.assert(
    fc.asyncProperty(inclusionCase, async ({ data, i, e, bit }) => {
      const t = treeOf(data);
      const n = t.leaves.length;
      const leaf = leafAt(t, i);
      const proof = await buildInclusionProof(i, n, t.read);
      assert.ok(verifyInclusion(i, n, leaf, proof, t.root));
      const target = e % proof.length;
      for (let b = 0; b < 256; b++) {
        assert.ok(
          !verifyInclusion(i, n, leaf, withElement(proof, target, b), t.root),
          `element ${target} bit ${b}`,
        );
      }
      for (let j = 0; j < proof.length; j++)
        assert.ok(!verifyInclusion(i, n, leaf, withElement(proof, j, bit), t.root));
      assert.ok(!verifyInclusion(i, n, leaf, proof, flip(t.root, bit)), "root");
      assert.ok(!verifyInclusion(i, n, flip(leaf, bit), proof, t.root), "leaf");
      assert.ok(!verifyInclusion(i, n, leaf, proof.slice(0, -1), t.root), "truncated");
      assert.ok(!verifyInclusion(i, n, leaf, [...proof, t.root], t.root), "extended");
    }),
    { numRuns: 150 },
  );
});

/*
 * Changing the tree size by one does not always break an inclusion or
 * consistency proof, in this verifier or any RFC 9162 one: the proof binds
 * the size only through its shape. Leaf 0's proof in a tree of 3 leaves,
 * [h1, h2], also rebuilds MTH(D[3]) when read as a proof for a tree of 4.
 * So size changes are checked against the naive oracle (which accepts exactly
 * the shapes the RFC's recursion allows), while index changes must always fail.
 */
void test("the inclusion proof of leaf 0 in 3 leaves also passes as one in 4 leaves (known RFC 6962 property)", async () => {
  const t = treeOf([Buffer.from("a"), Buffer.from("b"), Buffer.from("c")]);
  const proof = await buildInclusionProof(0, 3, t.read);
  assert.ok(verifyInclusion(0, 4, leafAt(t, 0), proof, t.root));
  assert.ok(naiveVerifyInclusion(0, 4, leafAt(t, 0), proof, t.root));
});

void test("property: inclusion with index +-1 fails; with size +-1 it agrees with the naive verifier", async () => {
  await fc.assert(
    fc.asyncProperty(inclusionCase, async ({ data, i }) => {
      const t = treeOf(data);
      const n = t.leaves.length;
      const leaf = leafAt(t, i);
      const proof = await buildInclusionProof(i, n, t.read);
      assert.ok(naiveVerifyInclusion(i, n, leaf, proof, t.root), "oracle accepts the real proof");
      for (const d of [-1, 1]) {
        assert.ok(!verifyInclusion(i + d, n, leaf, proof, t.root), `index ${i + d}`);
        assert.equal(
          verifyInclusion(i, n + d, leaf, proof, t.root),
          naiveVerifyInclusion(i, n + d, leaf, proof, t.root),
        );
      }
    }),
    { numRuns: 200 },
  );
});

const consistencyCase = fc
  .tuple(leafData(2, 300), fc.nat(), fc.nat(), bit256)
  .map(([data, m, e, bit]) => ({ data, m: 1 + (m % (data.length - 1)), e, bit }));

void test("property: consistency fails after flipping any bit of a proof element or either root", async () => {
  await fc.assert(
    fc.asyncProperty(consistencyCase, async ({ data, m, e, bit }) => {
      const t = treeOf(data);
      const n = t.leaves.length;
      const root1 = prefixRoots(t.leaves)[m] ?? t.root;
      const proof = await buildConsistencyProof(m, n, t.read);
      assert.ok(verifyConsistency(m, n, root1, t.root, proof));
      const target = e % proof.length;
      for (let b = 0; b < 256; b++) {
        assert.ok(
          !verifyConsistency(m, n, root1, t.root, withElement(proof, target, b)),
          `element ${target} bit ${b}`,
        );
      }
      for (let j = 0; j < proof.length; j++)
        assert.ok(!verifyConsistency(m, n, root1, t.root, withElement(proof, j, bit)));
      assert.ok(!verifyConsistency(m, n, flip(root1, bit), t.root, proof), "root1");
      assert.ok(!verifyConsistency(m, n, root1, flip(t.root, bit), proof), "root2");
      assert.ok(!verifyConsistency(m, n, root1, t.root, proof.slice(0, -1)), "truncated");
      assert.ok(!verifyConsistency(m, n, root1, t.root, [...proof, t.root]), "extended");
    }),
    { numRuns: 150 },
  );
});

void test("property: consistency with size1 +-1 fails; with size2 +-1 it agrees with the naive verifier", async () => {
  await fc.assert(
    fc.asyncProperty(consistencyCase, async ({ data, m }) => {
      const t = treeOf(data);
      const n = t.leaves.length;
      const root1 = prefixRoots(t.leaves)[m] ?? t.root;
      const proof = await buildConsistencyProof(m, n, t.read);
      assert.ok(naiveVerifyConsistency(m, n, root1, t.root, proof), "oracle accepts the real proof");
      for (const d of [-1, 1]) {
        assert.ok(!verifyConsistency(m + d, n, root1, t.root, proof), `size1 ${m + d}`);
        assert.equal(
          verifyConsistency(m, n + d, root1, t.root, proof),
          naiveVerifyConsistency(m, n + d, root1, t.root, proof),
          `size2 ${n + d}`,
        );
      }
    }),
    { numRuns: 200 },
  );
});

void test("property: appending in two chunks stores the same nodes and gives the same root as at once", () => {
  fc.assert(
    fc.property(leafData(0, 300), fc.nat(), (data, cut) => {
      const leaves = data.map(naiveLeafHash);
      const k = leaves.length === 0 ? 0 : cut % (leaves.length + 1);
      const once = appendLeaves(EMPTY_FRONTIER, leaves);
      const first = appendLeaves(EMPTY_FRONTIER, leaves.slice(0, k));
      const second = appendLeaves(first.frontier, leaves.slice(k));
      assert.deepEqual([...first.nodes, ...second.nodes], once.nodes);
      assert.deepEqual(second.frontier, once.frontier);
      assert.deepEqual(frontierRoot(second.frontier), leaves.length === 0 ? null : mth(leaves));
      // A perfect tree of 2^h leaves stores 2^h - 1 interior nodes; in general n - popcount(n).
      assert.equal(once.nodes.length, leaves.length - popcount(leaves.length));
    }),
    { numRuns: 100 },
  );
});

function popcount(n: number): number {
  return n.toString(2).replace(/0/g, "").length;
}

// Note text may not hold control characters (Go note, C2SP signed-note); \p{Cc} also drops C1, harmlessly.
const noteLine = fc.string({ unit: "grapheme", maxLength: 30 }).filter((s) => !/\p{Cc}/u.test(s));
const noteText = fc.array(noteLine, { minLength: 1, maxLength: 5 }).map((lines) => `${lines.join("\n")}\n`);

void test("property: flipping any bit of a note signature or its key id makes openNote throw", () => {
  fc.assert(
    fc.property(
      noteText,
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.integer({ min: 0, max: 68 * 8 - 1 }),
      (text, seed, bit) => {
        const signer = ed25519Signer("example.com/log", seed);
        const verifier = ed25519Verifier(signer.name, signer.publicKey);
        const note = signNote(text, [signer]);
        assert.equal(openNote(note, [verifier]).text, text);
        const at = note.lastIndexOf(" ") + 1;
        const blob = Buffer.from(note.slice(at, -1), "base64"); // key id (4) || signature (64)
        assert.equal(blob.length, 68);
        const tampered = `${note.slice(0, at)}${flip(blob, bit).toString("base64")}\n`;
        assert.throws(() => openNote(tampered, [verifier]), NoteFormatError);
      },
    ),
    { numRuns: 300 },
  );
});
