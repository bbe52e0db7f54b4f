/**
 * exportTiles writes the C2SP tlog-tiles layout (c2sp.org/tlog-tiles, at
 * C2SP/C2SP @ 5ba5ee83; facts in test/fixtures/tlog/tlog-tiles-vectors.json).
 * Expected paths come from the spec rule in tile-fs.ts, file contents from
 * the naive RFC 6962 oracle, never from the exporter itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { VigilError } from "../../src/errors.js";
import { exportTiles } from "../../src/tlog/export-tiles.js";
import { verifyTileDir } from "../../src/tlog/verify-tiles.js";
import { mth, naiveLeafHash } from "../journal/naive-rfc6962.js";
import { loadJson } from "../journal/fixtures.js";
import type { LogReader } from "../../src/storage/log-reader.js";
import {
  entryBytes,
  memoryLog,
  signedCheckpoint,
  VERIFIER,
  withCorruptNode,
  withReadCounts,
} from "./memory-log.js";
import { expectedFiles, listFiles, tempDir } from "./tile-fs.js";

const entries = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => entryBytes(i));

/** Logs are immutable here, so each size is built once per file. */
const logs = new Map<number, LogReader>();
function logOf(size: number): LogReader {
  const log = logs.get(size) ?? memoryLog(entries(size));
  logs.set(size, log);
  return log;
}

interface TileVectors {
  treeSizeExamples: { size: number; tiles: { level: number; full: number; partialWidth: number }[] }[];
}

void test("a log without a checkpoint has nothing to export: typed NOT_FOUND, no files", async (t) => {
  const dir = await tempDir(t);
  await assert.rejects(
    exportTiles(memoryLog(entries(3), null), dir),
    (e) => e instanceof VigilError && e.code === "NOT_FOUND",
  );
  assert.deepEqual(await listFiles(dir), []);
});

for (const size of [0, 1, 255, 256, 257, 70000]) {
  void test(`size ${size}: export writes exactly the spec's files and verifies`, async (t) => {
    const dir = await tempDir(t);
    const r = await exportTiles(logOf(size), dir);
    const want = expectedFiles(size);
    assert.deepEqual(await listFiles(dir), want);
    assert.deepEqual(r, { size, files: want.length });
    const v = await verifyTileDir(dir, VERIFIER);
    assert.deepEqual(v.problems, []);
    assert.equal(v.ok, true);
    assert.equal(v.size, size);
    assert.equal(v.root, Buffer.from(mth(entries(size).map(naiveLeafHash))).toString("hex"));
    assert.equal(v.bundlesChecked, want.filter((f) => f.startsWith("tile/entries/")).length);
    assert.equal(v.tilesChecked, want.length - 1 - v.bundlesChecked);
  });
}

void test("size 70000 and 256 match the spec's worked examples, tile by tile", async (t) => {
  const fx = loadJson<TileVectors>("tlog-tiles-vectors.json");
  for (const ex of fx.treeSizeExamples) {
    const dir = await tempDir(t);
    await exportTiles(logOf(ex.size), dir);
    const files = await listFiles(dir);
    for (const { level, full, partialWidth } of ex.tiles) {
      const at = files.filter((f) => f.startsWith(`tile/${level}/`));
      assert.equal(at.filter((f) => !f.includes(".p/")).length, full, `full tiles at level ${level}`);
      assert.deepEqual(
        at.filter((f) => f.includes(".p/")).map((f) => Number(f.split(".p/")[1])),
        partialWidth > 0 ? [partialWidth] : [],
      );
    }
  }
  const dir = await tempDir(t);
  await exportTiles(logOf(70000), dir);
  for (const f of [
    "tile/0/272",
    "tile/0/273.p/112",
    "tile/entries/273.p/112",
    "tile/1/000",
    "tile/1/001.p/17",
  ]) {
    assert.ok((await stat(join(dir, f))).isFile(), f);
  }
  assert.equal((await stat(join(dir, "tile/2/000.p/1"))).size, 32);
});

void test("size 257: file contents are the leaf hashes, the bundle encoding and the level-8 node", async (t) => {
  const dir = await tempDir(t);
  const log = entries(257);
  const leaves = log.map(naiveLeafHash);
  await exportTiles(memoryLog(log), dir);
  assert.deepEqual(await readFile(join(dir, "tile/0/000")), Buffer.concat(leaves.slice(0, 256)));
  assert.deepEqual(await readFile(join(dir, "tile/0/001.p/1")), leaves[256]);
  const last = log[256] as Buffer;
  const len = Buffer.of(last.length >> 8, last.length & 0xff);
  assert.deepEqual(await readFile(join(dir, "tile/entries/001.p/1")), Buffer.concat([len, last]));
  assert.deepEqual(await readFile(join(dir, "tile/1/000.p/1")), Buffer.from(mth(leaves.slice(0, 256))));
  assert.equal(await readFile(join(dir, "checkpoint"), "utf8"), signedCheckpoint(leaves));
});

void test("the export follows the latest checkpoint, not the log's current size", async (t) => {
  const dir = await tempDir(t);
  const r = await exportTiles(memoryLog(entries(600), 257), dir);
  assert.deepEqual(r, { size: 257, files: expectedFiles(257).length });
  assert.deepEqual(await listFiles(dir), expectedFiles(257));
  assert.equal((await verifyTileDir(dir, VERIFIER)).size, 257);
});

void test("reads in chunks of at most one tile and reports progress up to the file count", async (t) => {
  const dir = await tempDir(t);
  const counted = withReadCounts(logOf(70000));
  const seen: [number, number][] = [];
  const r = await exportTiles(counted.log, dir, (done, total) => seen.push([done, total]));
  assert.ok(Math.max(...counted.entries) <= 256 && Math.max(...counted.nodes) <= 256);
  assert.equal(
    counted.entries.reduce((a, b) => a + b, 0),
    70000,
    "each entry read once",
  );
  assert.equal(seen.length, r.files);
  assert.deepEqual(seen.at(-1), [r.files, r.files]);
  assert.ok(seen.every(([done], i) => done === i + 1));
});

void test("output is deterministic, and exporting again over it changes nothing", async (t) => {
  const [a, b] = [await tempDir(t), await tempDir(t)];
  await exportTiles(memoryLog(entries(1000)), a);
  await exportTiles(memoryLog(entries(1000)), b);
  await exportTiles(logOf(1000), b);
  const files = await listFiles(a);
  assert.deepEqual(await listFiles(b), files);
  for (const f of files) assert.deepEqual(await readFile(join(b, f)), await readFile(join(a, f)), f);
});

for (const id of [
  { level: 0, index: 300 },
  { level: 8, index: 1 },
  { level: 16, index: 0 },
]) {
  void test(`a corrupt stored node (level ${id.level}) fails the export before any checkpoint is written`, async (t) => {
    const dir = await tempDir(t);
    const log = withCorruptNode(logOf(70000), id);
    await assert.rejects(
      exportTiles(log, dir),
      (e) => e instanceof VigilError && e.code === "STORAGE_CORRUPT",
    );
    assert.ok(!(await listFiles(dir)).includes("checkpoint"));
  });
}
