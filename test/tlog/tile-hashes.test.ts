/**
 * Tile hash arithmetic against the naive RFC 6962 s2.1 oracle: a full tile's
 * MTH, the level above (c2sp.org/tlog-tiles: a level-L+1 hash is the MTH of
 * one full level-L tile), and the streaming root over partial trees.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { parentTiles, splitHashes, StreamingRoot, subtreeRoot } from "../../src/tlog/tile-hashes.js";
import { mth, naiveLeafHash } from "../journal/naive-rfc6962.js";

const leaves = (n: number, salt = 0): Buffer[] =>
  Array.from({ length: n }, (_, i) => naiveLeafHash(Buffer.from(`${salt}:${i}`)));

void test("subtreeRoot of a full tile is the MTH of its 256 hashes; partial tiles are refused", () => {
  const hashes = leaves(256);
  assert.deepEqual(subtreeRoot(Buffer.concat(hashes)), Buffer.from(mth(hashes)));
  assert.throws(() => subtreeRoot(Buffer.concat(hashes.slice(1))), RangeError);
});

void test("parentTiles: one hash per full tile, grouped 256 to a tile, partial tiles ignored", () => {
  const tiles = Array.from({ length: 258 }, (_, i) => Buffer.concat(leaves(256, i)));
  tiles.push(Buffer.concat(leaves(3, 999)));
  const up = parentTiles(tiles);
  assert.deepEqual(
    up.map((t) => t.length / 32),
    [256, 2],
  );
  assert.deepEqual(splitHashes(up[1] as Buffer)[1], Buffer.from(mth(leaves(256, 257))));
  assert.deepEqual(parentTiles([Buffer.concat(leaves(255))]), []);
});

void test("property: StreamingRoot over tile-sized chunks equals the MTH of all leaves", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1300 }), (size) => {
      const all = leaves(size);
      const root = new StreamingRoot();
      for (let i = 0; i < size; i += 256) root.add(Buffer.concat(all.slice(i, i + 256)));
      assert.equal(root.size, size);
      assert.deepEqual(root.root(), Buffer.from(mth(all)));
    }),
    { numRuns: 40 },
  );
});
