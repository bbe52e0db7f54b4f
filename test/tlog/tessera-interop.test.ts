/**
 * verifyTileDir accepts a log written by another implementation. The
 * checkpoints are the REAL ones Tessera's posix-oneshot signed for its
 * 15-entry test log: test/fixtures/tlog/tessera-posix-oneshot.json,
 * transcribed from mhutchinson/merkle @ 8706d323 (testdata/build_log.sh,
 * testdata/log/checkpoint, testdata/log/checkpoint.8), written by
 * trillian-tessera @ b53519f. Those tiles are not in our corpus, so the
 * bundle and level-0 tile are built here by hand from the spec
 * (c2sp.org/tlog-tiles: uint16 big-endian length || entry; 32-byte
 * SHA-256(0x00 || entry) leaf hashes), never through exportTiles.
 */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { parseVerifierKey } from "../../src/journal/index.js";
import { verifyTileDir } from "../../src/tlog/verify-tiles.js";
import { loadJson } from "../journal/fixtures.js";
import { VERIFIER } from "./memory-log.js";
import { tempDir } from "./tile-fs.js";

interface OneShot {
  origin: string;
  vkey: string;
  entries: string[];
  checkpoints: Record<"8" | "15", string>;
}

const fx = loadJson<OneShot>("tessera-posix-oneshot.json");
const verifier = parseVerifierKey(fx.vkey);

function bundle(entries: readonly Buffer[]): Buffer {
  return Buffer.concat(entries.flatMap((e) => [Buffer.of(e.length >> 8, e.length & 0xff), e]));
}

function leafTile(entries: readonly Buffer[]): Buffer {
  const leaf = (e: Buffer): Buffer => createHash("sha256").update(Buffer.of(0)).update(e).digest();
  return Buffer.concat(entries.map(leaf));
}

/** The layout Tessera serves for `size` (< 256) entries: checkpoint, one partial bundle, one partial tile. */
async function tesseraDir(t: TestContext, size: "8" | "15"): Promise<string> {
  const dir = await tempDir(t);
  const entries = fx.entries.slice(0, Number(size)).map((e) => Buffer.from(e, "utf8"));
  await mkdir(join(dir, "tile/entries/000.p"), { recursive: true });
  await mkdir(join(dir, "tile/0/000.p"), { recursive: true });
  await writeFile(join(dir, "checkpoint"), fx.checkpoints[size]);
  await writeFile(join(dir, `tile/entries/000.p/${size}`), bundle(entries));
  await writeFile(join(dir, `tile/0/000.p/${size}`), leafTile(entries));
  return dir;
}

function rootHex(note: string): string {
  return Buffer.from(note.split("\n")[2] ?? "", "base64").toString("hex");
}

for (const size of ["15", "8"] as const) {
  void test(`Tessera's real size-${size} checkpoint over hand-built tiles verifies`, async (t) => {
    const r = await verifyTileDir(await tesseraDir(t, size), verifier, fx.origin);
    assert.deepEqual(r.problems, []);
    assert.equal(r.ok, true);
    assert.deepEqual([r.size, r.bundlesChecked, r.tilesChecked], [Number(size), 1, 1]);
    assert.equal(r.root, rootHex(fx.checkpoints[size]));
  });
}

void test("the Tessera log fails with our key, naming checkpoint", async (t) => {
  const r = await verifyTileDir(await tesseraDir(t, "15"), VERIFIER);
  assert.deepEqual(
    r.problems.map((p) => p.path),
    ["checkpoint"],
  );
});

void test("a Tessera entry spelled differently is blamed on the bundle, the tile being right", async (t) => {
  const dir = await tesseraDir(t, "15");
  // signed-note-vectors.json spells entry 8 "eit": that does not reproduce the root.
  const entries = fx.entries.map((e, i) => Buffer.from(i === 7 ? "eit" : e, "utf8"));
  await writeFile(join(dir, "tile/entries/000.p/15"), bundle(entries));
  const r = await verifyTileDir(dir, verifier);
  assert.deepEqual(
    r.problems.map((p) => p.path),
    ["tile/entries/000.p/15"],
  );
});

void test("the size-8 checkpoint does not accept the size-15 files in place of its own", async (t) => {
  const dir = await tesseraDir(t, "15");
  await writeFile(join(dir, "checkpoint"), fx.checkpoints["8"]);
  const r = await verifyTileDir(dir, verifier);
  assert.deepEqual(
    r.problems.map((p) => [p.path, p.problem]),
    [
      ["tile/entries/000.p/8", "missing"],
      ["tile/0/000.p/8", "missing"],
    ],
  );
});
