/** The layout's names: fileClass (one pass over a name) against the grammar written as patterns. */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { fileClass, isLowerHex } from "../../src/packs/pack-layout.js";

const LEAF = "(0|[1-9][0-9]{0,15})";
const SPEC: readonly [RegExp, string][] = [
  [/^contents\/[0-9a-f]{64}$/, "contents"],
  [new RegExp(`^records/${LEAF}\\.json$`), "meta"],
  [new RegExp(`^proofs/${LEAF}\\.json$`), "meta"],
  [/^(manifest\.json|SHA256SUMS|chain\.json)$/, "index"],
  [/^(checkpoint|verifier\.key|README\.txt|keys\.json)$/, "meta"],
];
const spec = (name: string) => SPEC.find(([re]) => re.test(name))?.[1] ?? null;

void test("fileClass gives every name the class the layout's grammar gives it, and null to any other", () => {
  // Valid hex digests, and ones a single character away (replaced, added or removed).
  const digest = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 });
  const hex = fc
    .tuple(
      digest,
      fc.nat(64),
      fc.constantFrom(..."0af9gAF/\n.\u00e9"),
      fc.constantFrom("none", "put", "add", "cut"),
    )
    .map(([h, at, c, how]) =>
      how === "put"
        ? h.slice(0, at) + c + h.slice(at + 1)
        : how === "add"
          ? h.slice(0, at) + c + h.slice(at)
          : how === "cut"
            ? h.slice(0, at) + h.slice(at + 1)
            : h,
    );
  const leaf = fc.oneof(
    fc.nat().map(String),
    fc.string({ unit: fc.constantFrom(..."0123456789x."), maxLength: 18 }),
  );
  const name = fc.oneof(
    hex.map((h) => `contents/${h}`),
    fc
      .string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 })
      .map((h) => `contents/${h}`),
    fc
      .tuple(
        fc.constantFrom("records/", "proofs/", "record/", "./records/"),
        leaf,
        fc.constantFrom(".json", ".json\n", ".jso", ""),
      )
      .map((p) => p.join("")),
    fc.constantFrom(
      "manifest.json",
      "SHA256SUMS",
      "chain.json",
      "checkpoint",
      "verifier.key",
      "README.txt",
      "keys.json",
      "keys.json/",
      "/checkpoint",
      "contents",
      "records",
    ),
    fc.string({ maxLength: 80 }),
  );
  fc.assert(
    fc.property(name, (n) => assert.equal(fileClass(n), spec(n), JSON.stringify(n))),
    { seed: 73, numRuns: 20_000 },
  );
});

void test("isLowerHex looks only at its range", () => {
  assert.equal(isLowerHex("xx0af9yy", 2, 6), true);
  assert.equal(isLowerHex("xx0aF9yy", 2, 6), false);
  assert.equal(isLowerHex("xx0a/9yy", 2, 6), false);
  assert.equal(isLowerHex("", 0, 0), true);
});
