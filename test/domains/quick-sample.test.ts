import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { sampleIndices } from "../../src/verify/quick.js";

void test("a quick-verification sample is n distinct sorted indices in range, the same for the same seed", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 5000 }),
      fc.integer({ min: 0, max: 300 }),
      fc.nat(),
      (size, n, seed) => {
        const s = sampleIndices(size, n, seed);
        assert.equal(s.length, Math.min(size, n));
        assert.equal(new Set(s).size, s.length);
        assert.ok(s.every((x, i) => x >= 0 && x < size && (i === 0 || (s[i - 1] as number) < x)));
        assert.deepEqual(sampleIndices(size, n, seed), s);
      },
    ),
  );
});

void test("different seeds pick different samples", () => {
  assert.notDeepEqual(sampleIndices(100000, 50, 1), sampleIndices(100000, 50, 2));
});
