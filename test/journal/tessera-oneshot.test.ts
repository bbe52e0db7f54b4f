/**
 * Real checkpoints written by Tessera's posix-oneshot for a 15-entry test log.
 * Source: test/fixtures/tlog/tessera-posix-oneshot.json, transcribed from
 * mhutchinson/merkle @ 8706d323 (testdata/build_log.sh, testdata/log/checkpoint,
 * testdata/log/checkpoint.8), written by trillian-tessera @ b53519f.
 *
 * The entries come from this file, not from signed-note-vectors.json's
 * tesseraTestLog.entries: those spell entries 8..15 differently ("eit",
 * "nain", ...) and do not reproduce either checkpoint's root.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  EMPTY_FRONTIER,
  frontierRoot,
  leafHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from "../../src/journal/index.js";
import { loadJson } from "./fixtures.js";
import { memoryTree } from "./memory-tree.js";

interface OneShot {
  origin: string;
  vkey: string;
  entries: string[];
  checkpoints: Record<"8" | "15", string>;
}

const fx = loadJson<OneShot>("tessera-posix-oneshot.json");
const verifier = parseVerifierKey(fx.vkey);
const leaves = fx.entries.map((e) => leafHash(Buffer.from(e, "utf8")));
const tree = memoryTree(leaves);

function checkpoint(size: "8" | "15"): ReturnType<typeof parseCheckpoint> {
  return parseCheckpoint(openNote(fx.checkpoints[size], [verifier]).text);
}

void test("openNote accepts both real checkpoints with the log's vkey", () => {
  for (const size of ["8", "15"] as const) {
    const opened = openNote(fx.checkpoints[size], [verifier]);
    assert.equal(opened.verified.length, 1);
    assert.equal(opened.verified[0]?.name, fx.origin);
  }
});

void test("the checkpoint bodies parse as origin, size and a 32-byte root", () => {
  for (const size of ["8", "15"] as const) {
    const cp = checkpoint(size);
    assert.equal(cp.origin, fx.origin);
    assert.equal(cp.size, Number(size));
    assert.equal(cp.root.length, 32);
    assert.equal(cp.rest, "");
  }
});

void test("the leaf hashes of the raw entries give both checkpoint roots", () => {
  assert.equal(fx.entries.length, 15);
  const eight = appendLeaves(EMPTY_FRONTIER, leaves.slice(0, 8));
  assert.deepEqual(frontierRoot(eight.frontier), checkpoint("8").root);
  const fifteen = appendLeaves(eight.frontier, leaves.slice(8));
  assert.deepEqual(frontierRoot(fifteen.frontier), checkpoint("15").root);
  assert.deepEqual(frontierRoot(tree.frontier), checkpoint("15").root);
});

void test("a consistency proof links the two real checkpoints", async () => {
  const proof = await buildConsistencyProof(8, 15, tree.read);
  assert.ok(verifyConsistency(8, 15, checkpoint("8").root, checkpoint("15").root, proof));
  assert.ok(!verifyConsistency(8, 15, checkpoint("15").root, checkpoint("8").root, proof));
});

void test("every entry has an inclusion proof against the size-15 checkpoint", async () => {
  const root = checkpoint("15").root;
  for (const [i, leaf] of leaves.entries()) {
    const proof = await buildInclusionProof(i, 15, tree.read);
    assert.ok(verifyInclusion(i, 15, leaf, proof, root), `entry ${i}`);
  }
});

void test("a signature over one checkpoint does not open the other's text", () => {
  const sig8 = fx.checkpoints["8"].slice(fx.checkpoints["8"].indexOf("\n\n") + 2);
  const body15 = fx.checkpoints["15"].slice(0, fx.checkpoints["15"].indexOf("\n\n") + 2);
  assert.throws(() => openNote(body15 + sig8, [verifier]), /invalid signature/);
});
