/**
 * C2SP tlog-tiles layout: tile index paths, the tiles a tree size needs,
 * partial tile widths and entry bundles.
 * Source: test/fixtures/tlog/tlog-tiles-vectors.json, from C2SP/C2SP @ 5ba5ee83
 * (tlog-tiles.md, "Merkle Tree" and "Partial Tiles"); see SOURCES.md. Only
 * 1234067 -> x001/x234/067 is verbatim from the spec; the fixture derives the rest.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  bundlesForSize,
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  entryBundlePath,
  hashTilePath,
  MAX_ENTRY_SIZE,
  parseTilePath,
  TileFormatError,
  tilesForSize,
  type TileRef,
} from "../../src/journal/index.js";
import { loadJson } from "./fixtures.js";

interface TileVectors {
  tileIndexPathEncoding: { n: number; path: string }[];
  treeSizeExamples: { size: number; tiles: { level: number; full: number; partialWidth: number }[] }[];
}

const fx = loadJson<TileVectors>("tlog-tiles-vectors.json");

/** Per level: how many full tiles and the width of the partial one (0 when there is none). */
function summarise(tiles: readonly TileRef[]): { level: number; full: number; partialWidth: number }[] {
  const levels = [...new Set(tiles.map((t) => t.level))];
  return levels.map((level) => {
    const at = tiles.filter((t) => t.level === level);
    const partial = at.filter((t) => t.width < 256);
    assert.ok(partial.length <= 1, `at most one partial tile at level ${level}`);
    return { level, full: at.length - partial.length, partialWidth: partial[0]?.width ?? 0 };
  });
}

for (const { n, path } of fx.tileIndexPathEncoding) {
  void test(`encodeTileIndex(${n}) = ${path}`, () => {
    assert.equal(encodeTileIndex(n), path);
  });
}

void test("encodeTileIndex: more groups, and invalid indexes rejected", () => {
  assert.equal(encodeTileIndex(999), "999");
  assert.equal(encodeTileIndex(1_000_000), "x001/x000/000");
  assert.equal(encodeTileIndex(2 ** 53 - 1), "x009/x007/x199/x254/x740/991");
  for (const bad of [-1, 1.5, NaN, 2 ** 53]) assert.throws(() => encodeTileIndex(bad), TileFormatError);
});

for (const ex of fx.treeSizeExamples) {
  void test(`tilesForSize(${ex.size}): full tiles and partial widths per level`, () => {
    const tiles = tilesForSize(ex.size);
    assert.deepEqual(summarise(tiles), ex.tiles);
    assert.equal(
      tiles.length,
      ex.tiles.reduce((sum, l) => sum + l.full + (l.partialWidth > 0 ? 1 : 0), 0),
    );
  });
}

void test("tilesForSize(70000): tiles are ordered bottom level first, indexes consecutive", () => {
  const tiles = tilesForSize(70000);
  assert.deepEqual(tiles.at(-1), { level: 2, index: 0, width: 1 });
  assert.deepEqual(tiles[272], { level: 0, index: 272, width: 256 });
  assert.deepEqual(tiles[273], { level: 0, index: 273, width: 112 });
  assert.deepEqual(tiles[274], { level: 1, index: 0, width: 256 });
  assert.deepEqual(tiles[275], { level: 1, index: 1, width: 17 });
  assert.deepEqual(tilesForSize(0), []);
  assert.deepEqual(tilesForSize(1), [{ level: 0, index: 0, width: 1 }]);
});

void test("property: the partial tile at level l has floor(s / 256^l) mod 256 hashes", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 3_000_000 }), (size) => {
      const byLevel = summarise(tilesForSize(size));
      let level = 0;
      for (; Math.floor(size / 256 ** level) > 0; level++) {
        const hashes = Math.floor(size / 256 ** level);
        assert.deepEqual(byLevel[level], {
          level,
          full: Math.floor(hashes / 256),
          partialWidth: hashes % 256,
        });
      }
      assert.equal(byLevel.length, level, "no tiles above the last non-empty level");
    }),
    { numRuns: 100 },
  );
});

void test("bundlesForSize: one bundle per 256 entries, the last one partial", () => {
  assert.deepEqual(bundlesForSize(0), []);
  assert.deepEqual(bundlesForSize(15), [{ level: -1, index: 0, width: 15 }]);
  assert.deepEqual(
    bundlesForSize(513).map((b) => b.width),
    [256, 256, 1],
  );
});

void test("hashTilePath and entryBundlePath follow tile/<L>/<N>[.p/<W>] and tile/entries/<N>[.p/<W>]", () => {
  assert.equal(hashTilePath(0, 1234067, 256), "tile/0/x001/x234/067");
  assert.equal(hashTilePath(1, 0, 17), "tile/1/000.p/17");
  assert.equal(hashTilePath(2, 0, 1), "tile/2/000.p/1");
  assert.equal(hashTilePath(0, 0, 15), "tile/0/000.p/15"); // the Tessera test log's on-disk tile
  assert.equal(entryBundlePath(0, 15), "tile/entries/000.p/15");
  assert.equal(entryBundlePath(1000, 256), "tile/entries/x001/000");
  for (const w of [0, 257, 1.5]) {
    assert.throws(() => hashTilePath(0, 0, w), TileFormatError);
    assert.throws(() => entryBundlePath(0, w), TileFormatError);
  }
});

void test("entry bundles are big-endian uint16 length || bytes, per entry", () => {
  const bundle = encodeEntryBundle([Buffer.from("one"), new Uint8Array(0), Buffer.alloc(300, 1)]);
  assert.equal(bundle.subarray(0, 7).toString("hex"), "00036f6e650000");
  assert.equal(bundle.subarray(7, 9).toString("hex"), "012c");
  assert.equal(bundle.length, 2 + 3 + 2 + 0 + 2 + 300);
});

void test("entries up to 65535 bytes fit a bundle; 65536 is rejected", () => {
  const max = Buffer.alloc(MAX_ENTRY_SIZE, 9);
  assert.deepEqual(decodeEntryBundle(encodeEntryBundle([max])), [max]);
  assert.throws(() => encodeEntryBundle([Buffer.alloc(MAX_ENTRY_SIZE + 1)]), TileFormatError);
});

void test("property: decodeEntryBundle(encodeEntryBundle(entries)) round-trips", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 600 }), { maxLength: 40 }), (entries) => {
      const decoded = decodeEntryBundle(encodeEntryBundle(entries));
      assert.deepEqual(
        decoded.map((b) => Buffer.from(b).toString("hex")),
        entries.map((e) => Buffer.from(e).toString("hex")),
      );
    }),
    { numRuns: 200 },
  );
});

void test("property: every truncation that cuts an entry or a length prefix is rejected", () => {
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 10 }), (entries) => {
      const bundle = encodeEntryBundle(entries);
      const boundaries = new Set<number>([0]);
      let at = 0;
      for (const e of entries) boundaries.add((at += 2 + e.length));
      for (let cut = 1; cut < bundle.length; cut++) {
        const prefix = bundle.subarray(0, cut);
        if (boundaries.has(cut)) assert.equal(decodeEntryBundle(prefix).length, [...boundaries].indexOf(cut));
        else assert.throws(() => decodeEntryBundle(prefix), TileFormatError, `cut at ${cut}`);
      }
    }),
    { numRuns: 200 },
  );
});

void test("parseTilePath reads the spec's paths, full and partial, hash tiles and entry bundles", () => {
  assert.deepEqual(parseTilePath("tile/0/x001/x234/067"), {
    kind: "hash",
    level: 0,
    index: 1234067,
    width: 256,
  });
  assert.deepEqual(parseTilePath("tile/1/000.p/17"), { kind: "hash", level: 1, index: 0, width: 17 });
  assert.deepEqual(parseTilePath("tile/63/000.p/1"), { kind: "hash", level: 63, index: 0, width: 1 });
  assert.deepEqual(parseTilePath("tile/entries/000.p/15"), { kind: "entries", index: 0, width: 15 });
  assert.deepEqual(parseTilePath("tile/entries/x001/000"), { kind: "entries", index: 1000, width: 256 });
});

void test("parseTilePath refuses every non-canonical or out-of-range spelling", () => {
  const bad = [
    "",
    "tile",
    "tile/0",
    "tile/0/",
    "tile/0/0",
    "tile/0/0000",
    "tile/0/1",
    "/tile/0/000",
    "tile/0/000/",
    "tile/00/000",
    "tile/01/000",
    "tile/64/000",
    "tile/-1/000",
    "tile/1e1/000",
    "tile/ 0/000",
    "tile/0/x000/001",
    "tile/0/001/002",
    "tile/0/x001",
    "tile/0/X001/000",
    "tile/0/x01/000",
    "tile/0/x001/x002",
    "tile/0/000.p/0",
    "tile/0/000.p/256",
    "tile/0/000.p/015",
    "tile/0/000.p/",
    "tile/0/000.p",
    "tile/0/000.p/1/",
    "tile/0/000.p/1.5",
    "tile/0/000p/1",
    "tile/entries/",
    "tile/entries/000.p/256",
    "tile/Entries/000",
    "tile/entries/../0/000",
    "tile/0/%30%30%30",
    "tile/0/000?x",
    "tile/0/x999/x999/x999/x999/x999/x999/999",
  ];
  for (const p of bad) assert.throws(() => parseTilePath(p), TileFormatError, JSON.stringify(p));
});

void test("property: parseTilePath inverts hashTilePath and entryBundlePath", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 63 }),
      fc.maxSafeNat(),
      fc.integer({ min: 1, max: 256 }),
      (level, index, width) => {
        assert.deepEqual(parseTilePath(hashTilePath(level, index, width)), {
          kind: "hash",
          level,
          index,
          width,
        });
        assert.deepEqual(parseTilePath(entryBundlePath(index, width)), { kind: "entries", index, width });
      },
    ),
    { numRuns: 300 },
  );
});
