/**
 * LogTiles serves the live store as a tlog-tiles log (c2sp.org/tlog-tiles):
 * byte for byte the files exportTiles writes, bounded by the latest
 * checkpoint, and verifiable by the same verifier a directory goes through.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { exportTiles } from "../../src/tlog/export-tiles.js";
import { LogTiles } from "../../src/tlog/log-tiles.js";
import { verifyTiles } from "../../src/tlog/verify-tiles.js";
import { entryBytes, memoryLog, ORIGIN, VERIFIER, withCorruptNode } from "./memory-log.js";
import { expectedFiles, tempDir } from "./tile-fs.js";

const entries = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => entryBytes(i));
const BIG = 70000;
const big = memoryLog(entries(BIG));

void test("every resource LogTiles serves equals the exported file, for three tile levels", async (t) => {
  const dir = await tempDir(t);
  await exportTiles(big, dir);
  const tiles = new LogTiles(big);
  for (const path of expectedFiles(BIG)) {
    const r = await tiles.read(path, 1 << 24);
    assert.ok("bytes" in r, `${path}: ${"problem" in r ? r.problem : ""}`);
    assert.deepEqual(r.bytes, await readFile(join(dir, path)), path);
  }
});

void test("the verifier accepts the live store as a TileSource", async () => {
  const r = await verifyTiles(new LogTiles(big), VERIFIER, ORIGIN);
  assert.deepEqual(r.problems, []);
  assert.deepEqual([r.ok, r.size, r.bundlesChecked], [true, BIG, 274]);
});

void test("only what the latest checkpoint covers exists: later entries are not published", async () => {
  const log = memoryLog(entries(600), 300);
  const tiles = new LogTiles(log);
  const ok = async (p: string) => "bytes" in (await tiles.read(p, 1 << 20));
  assert.equal(await ok("tile/0/000"), true);
  assert.equal(await ok("tile/0/001.p/44"), true, "the checkpoint's own partial tile");
  assert.equal(await ok("tile/0/001.p/10"), true, "an older, smaller partial tile");
  assert.equal(await ok("tile/0/001.p/45"), false, "one hash beyond the checkpoint");
  assert.equal(await ok("tile/0/001"), false, "full tile 1 exists in the store, not yet anchored");
  assert.equal(await ok("tile/entries/001.p/45"), false);
  assert.equal(await ok("tile/1/000.p/1"), true);
  assert.equal(await ok("tile/1/000.p/2"), false);
  assert.equal(await ok("tile/2/000.p/1"), false);
  assert.equal((await verifyTiles(tiles, VERIFIER)).size, 300);
});

void test("no checkpoint: nothing exists; bad paths and over-cap reads are problems, not throws", async () => {
  const none = new LogTiles(memoryLog(entries(10), null));
  assert.deepEqual(await none.read("checkpoint", 1000), { problem: "missing" });
  assert.equal(await none.checkpoint(), null);
  assert.deepEqual(await none.read("tile/0/000.p/1", 1000), { problem: "missing" });
  const some = new LogTiles(memoryLog(entries(10)));
  assert.match(JSON.stringify(await some.read("tile/0/0", 1000)), /not a tile path/);
  assert.match(JSON.stringify(await some.read("tile/0/000.p/10", 319)), /more than the 319 bytes/);
});

void test("a corrupt stored node is served as stored; the verifier names the tile", async () => {
  const log = withCorruptNode(memoryLog(entries(600)), { level: 0, index: 300 });
  const r = await verifyTiles(new LogTiles(log), VERIFIER);
  assert.equal(r.ok, false);
  assert.equal(r.firstBad?.path, "tile/0/001");
});
