/**
 * RFC 8785 JSON Canonicalization Scheme.
 * Sources: RFC 8785 s3.2.2 (the "numbers"/"string"/"literals" example and its
 * UTF-8 bytes in s3.2.4), s3.2.3 (the property sorting example) and Appendix B
 * (the IEEE-754 number serialisation table). These are transcribed from memory
 * of the RFC text, not copied from a file in this repository; each one agreed
 * with Node's own Number-to-string conversion (ECMAScript, which RFC 8785
 * s3.2.2.3 adopts) and the s3.2.4 hex dump agrees with the s3.2.2 output
 * string byte for byte, which cross-checks the transcription.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  canonicalBytes,
  canonicalize,
  canonicalizeSorted,
  CanonicalJsonError,
  inCanonicalOrder,
} from "../../src/journal/index.js";

/** RFC 8785 s3.2.2 input, verbatim (JSON.parse reads the escapes and 1E30, 4.50, \/). */
const S322_INPUT = String.raw`{
  "numbers": [333333333.33333329, 1E30, 4.50,
              2e-3, 0.000000000000000000000000001],
  "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
  "literals": [null, true, false]
}`;
const S322_OUTPUT = String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`;
/** RFC 8785 s3.2.4: the UTF-8 bytes of S322_OUTPUT. */
const S324_HEX = `
  7b 22 6c 69 74 65 72 61 6c 73 22 3a 5b 6e 75 6c 6c 2c 74 72
  75 65 2c 66 61 6c 73 65 5d 2c 22 6e 75 6d 62 65 72 73 22 3a
  5b 33 33 33 33 33 33 33 33 33 2e 33 33 33 33 33 33 33 2c 31
  65 2b 33 30 2c 34 2e 35 2c 30 2e 30 30 32 2c 31 65 2d 32 37
  5d 2c 22 73 74 72 69 6e 67 22 3a 22 e2 82 ac 24 5c 75 30 30
  30 66 5c 6e 41 27 42 5c 22 5c 5c 5c 5c 5c 22 2f 22 7d`;

/** RFC 8785 s3.2.3: property names sort by UTF-16 code units, not code points. */
const S323_INPUT = String.raw`{
  "\u20ac": "Euro Sign",
  "\r": "Carriage Return",
  "\ufb33": "Hebrew Letter Dalet With Dagesh",
  "1": "One",
  "\ud83d\ude00": "Emoji: Grinning Face",
  "\u0080": "Control",
  "\u00f6": "Latin Small Letter O With Diaeresis"
}`;
const S323_ORDER = ["Carriage Return", "One", "Control", "Latin Small Letter O With Diaeresis"].concat([
  "Euro Sign",
  "Emoji: Grinning Face",
  "Hebrew Letter Dalet With Dagesh",
]);

/** RFC 8785 Appendix B: IEEE-754 bit pattern -> serialisation. */
const APPENDIX_B: [string, string][] = [
  ["0000000000000000", "0"],
  ["8000000000000000", "0"],
  ["0000000000000001", "5e-324"],
  ["8000000000000001", "-5e-324"],
  ["7fefffffffffffff", "1.7976931348623157e+308"],
  ["ffefffffffffffff", "-1.7976931348623157e+308"],
  ["4340000000000000", "9007199254740992"],
  ["c340000000000000", "-9007199254740992"],
  ["4430000000000000", "295147905179352830000"],
  ["44b52d02c7e14af5", "9.999999999999997e+22"],
  ["44b52d02c7e14af6", "1e+23"],
  ["44b52d02c7e14af7", "1.0000000000000001e+23"],
  ["444b1ae4d6e2ef4e", "999999999999999700000"],
  ["444b1ae4d6e2ef4f", "999999999999999900000"],
  ["444b1ae4d6e2ef50", "1e+21"],
  ["3eb0c6f7a0b5ed8c", "9.999999999999997e-7"],
  ["3eb0c6f7a0b5ed8d", "0.000001"],
  ["41b3de4355555553", "333333333.3333332"],
  ["41b3de4355555554", "333333333.33333325"],
  ["41b3de4355555555", "333333333.3333333"],
  ["41b3de4355555556", "333333333.3333334"],
  ["41b3de4355555557", "333333333.33333343"],
  ["becbf647612f3696", "-0.0000033333333333333333"],
  ["43143ff3c1cb0959", "1424953923781206.2"],
];
/** Appendix B's NaN and Infinity rows: not representable, must be rejected. */
const APPENDIX_B_INVALID = ["7fffffffffffffff", "7ff0000000000000"];

const double = (bits: string): number => Buffer.from(bits, "hex").readDoubleBE(0);

void test("RFC 8785 s3.2.2: the example object canonicalises to the published text", () => {
  assert.equal(canonicalize(JSON.parse(S322_INPUT)), S322_OUTPUT);
});

void test("RFC 8785 s3.2.4: canonicalBytes gives the published UTF-8 bytes", () => {
  const want = Buffer.from(S324_HEX.replace(/\s+/g, ""), "hex");
  assert.deepEqual(canonicalBytes(JSON.parse(S322_INPUT)), want);
  assert.equal(want.toString("utf8"), S322_OUTPUT);
});

void test("RFC 8785 s3.2.3: properties sort by UTF-16 code units (emoji before U+FB33)", () => {
  const out = canonicalize(JSON.parse(S323_INPUT));
  assert.deepEqual(valuesInTextOrder(out), S323_ORDER);
  // The control character in a key is escaped as \r; U+0080 and the rest are raw UTF-8.
  assert.ok(out.startsWith(String.raw`{"\r":"Carriage Return","1":"One","` + "\u0080"), out);
});

function valuesInTextOrder(json: string): string[] {
  return [...json.matchAll(/:"([^"]*)"/g)].map((m) => m[1] ?? "");
}

for (const [bits, want] of APPENDIX_B) {
  void test(`RFC 8785 Appendix B: 0x${bits} -> ${want}`, () => {
    assert.equal(canonicalize(double(bits)), want);
    assert.equal(canonicalize([double(bits)]), `[${want}]`);
  });
}

void test("exponent boundaries: 1e21 -> 1e+21, 1e-7 -> 1e-7, 1e20 and 1e-6 stay plain", () => {
  // ECMAScript Number::toString, RFC 8785 s3.2.2.3 (derived from the rule, not a table row).
  assert.equal(canonicalize(1e21), "1e+21");
  assert.equal(canonicalize(1e-7), "1e-7");
  assert.equal(canonicalize(1e20), "100000000000000000000");
  assert.equal(canonicalize(1e-6), "0.000001");
  assert.equal(canonicalize(-0), "0");
});

void test("Appendix B NaN and Infinity rows, and -Infinity, are rejected", () => {
  for (const bits of APPENDIX_B_INVALID) assert.throws(() => canonicalize(double(bits)), CanonicalJsonError);
  assert.throws(() => canonicalize({ a: [1, -Infinity] }), { name: "CanonicalJsonError", path: "$.a[1]" });
});

void test("strings: only the RFC 8785 s3.2.2.2 set is escaped, in lowercase hex", () => {
  assert.equal(canonicalize('\u0000\u001f\b\t\n\f\r"\\'), String.raw`"\u0000\u001f\b\t\n\f\r\"\\"`);
  assert.equal(canonicalize("/\u007f\u00e9\u2028\ud83d\ude00"), '"/\u007f\u00e9\u2028\ud83d\ude00"');
});

void test("lone surrogates are rejected in values and in keys", () => {
  assert.throws(() => canonicalize("a\ud800"), CanonicalJsonError);
  assert.throws(() => canonicalize("\udc00b"), CanonicalJsonError);
  assert.throws(() => canonicalize({ ["k\ud83d"]: 1 }), CanonicalJsonError);
  assert.throws(() => canonicalize(["\ude00\ud83d"]), CanonicalJsonError);
});

void test("class instances, functions, symbols, bigints and undefined items are rejected", () => {
  class Point {
    x = 1;
  }
  const bad: unknown[] = [new Point(), new Date(0), new Map(), Buffer.from("x"), () => 1, Symbol("s"), 1n];
  for (const value of bad) assert.throws(() => canonicalize({ v: value }), CanonicalJsonError);
  assert.throws(() => canonicalize([undefined]), CanonicalJsonError);
});

void test("sparse arrays are rejected, not emitted as null or as invalid JSON", () => {
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 2];
  assert.throws(() => canonicalize(sparse), CanonicalJsonError);
  assert.throws(() => canonicalize({ a: sparse }), CanonicalJsonError);
  assert.throws(() => canonicalize({ "1": sparse }), CanonicalJsonError); // integer-like keys take another path
});

void test('a "__proto__" member is kept like any other key', () => {
  const parsed: unknown = JSON.parse('{"b":2,"__proto__":{"a":1},"c":[{"__proto__":7}]}');
  assert.equal(canonicalize(parsed), '{"__proto__":{"a":1},"b":2,"c":[{"__proto__":7}]}');
});

void test("property: objects with awkward keys (integer-like, __proto__, empty) keep every member", () => {
  const key = fc.oneof(
    fc.constantFrom("__proto__", "", "0", "1", "10", "9", "-1", "01", "4294967295"),
    fc.string(),
  );
  const obj = fc
    .array(fc.tuple(key, fc.jsonValue({ maxDepth: 1 })), { maxLength: 8 })
    .map((e) => Object.fromEntries(e));
  fc.assert(
    fc.property(obj, (o) => {
      const back = JSON.parse(canonicalize(o)) as object;
      assert.deepEqual(Object.keys(back).sort(), Object.keys(o).sort());
      assert.deepEqual(back, JSON.parse(JSON.stringify(o)));
    }),
    { numRuns: 300 },
  );
});

void test("null-prototype objects are plain objects; undefined properties are omitted", () => {
  const o = Object.assign(Object.create(null) as Record<string, unknown>, { b: 1, a: undefined, c: [] });
  assert.equal(canonicalize(o), '{"b":1,"c":[]}');
});

void test("property: canonicalize(JSON.parse(canonicalize(x))) === canonicalize(x)", () => {
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: "binary" }), (x) => {
      const once = canonicalize(x);
      assert.equal(canonicalize(JSON.parse(once)), once);
    }),
    { numRuns: 300 },
  );
});

void test("property: the canonical form parses back to the same JSON value", () => {
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: "grapheme" }), (x) => {
      assert.deepEqual(JSON.parse(canonicalize(x)), JSON.parse(JSON.stringify(x)));
    }),
    { numRuns: 300 },
  );
});

void test("property: key insertion order does not change the output", () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.integer(), (x, seed) => {
      assert.equal(canonicalize(reorderKeys(x, prng(seed))), canonicalize(x));
    }),
    { numRuns: 300 },
  );
});

void test("property: object keys appear in UTF-16 code unit order", () => {
  fc.assert(
    fc.property(fc.dictionary(fc.string({ unit: "binary" }), fc.integer()), (d) => {
      const keys = Object.keys(JSON.parse(canonicalize(d)) as object);
      const order = [...canonicalize(d).matchAll(/"((?:[^"\\]|\\.)*)":/g)].map(
        (m) => JSON.parse(`"${m[1]}"`) as string,
      );
      assert.deepEqual(order, [...keys].sort(compareCodeUnits));
    }),
    { numRuns: 200 },
  );
});

void test("property: any string with a lone surrogate is rejected", () => {
  const lone = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
  fc.assert(
    fc.property(fc.string({ unit: "binary" }), lone, fc.string({ unit: "binary" }), (a, s, b) => {
      const str = a + s + b;
      fc.pre(!str.isWellFormed());
      assert.throws(() => canonicalize(str), CanonicalJsonError);
    }),
    { numRuns: 200 },
  );
});

void test("the fast path takes plain data in key order and declines the rest", () => {
  assert.equal(inCanonicalOrder({ a: [1, "x", null, { b: true, c: -0 }], d: undefined, e: {} }), true);
  assert.equal(inCanonicalOrder(Object.assign(Object.create(null) as object, { a: 1 })), true);
  assert.equal(inCanonicalOrder(JSON.parse(S322_OUTPUT)), true, "canonical bytes parse back in key order");
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [1, , 2];
  const declined: unknown[] = [
    { b: 1, a: 2 },
    { a: { d: 1, c: 2 } },
    JSON.parse('{"10":1,"9":2}'), // canonical text order, but enumerated 9 then 10
    JSON.parse('{"__proto__":1}'),
    { ["k\ud83d"]: 1 },
    ["a\ud800"],
    [NaN],
    [undefined],
    sparse,
    { d: new Date(0) },
    { f: () => 1 },
    { n: 1n },
  ];
  for (const x of declined) assert.equal(inCanonicalOrder(x), false, String(canonicalizeOrError(x)));
});

function canonicalizeOrError(x: unknown): string {
  try {
    return canonicalizeSorted(x);
  } catch (e) {
    return (e as Error).message;
  }
}

void test("property: the fast path equals the reference path on values built in key order", () => {
  let fast = 0;
  fc.assert(
    fc.property(fc.jsonValue({ stringUnit: "binary" }), (x) => {
      const sorted = sortKeys(x);
      if (inCanonicalOrder(sorted)) fast++;
      assert.equal(canonicalize(sorted), canonicalizeSorted(sorted));
      assert.equal(canonicalize(x), canonicalizeSorted(x));
    }),
    { numRuns: 400 },
  );
  assert.ok(fast >= 360, `the fast path was taken ${fast} times of 400`);
});

void test("property: on any value, canonicalize and the reference give the same text or the same error", () => {
  const anything = fc.anything({
    withBigInt: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withNullPrototype: true,
    withSparseArray: true,
    withTypedArray: true,
    withBoxedValues: true,
    withObjectString: true,
    withUnicodeString: true,
  });
  fc.assert(
    fc.property(anything, (x) => {
      for (const v of [x, sortKeys(x)])
        assert.deepEqual(outcome(canonicalize, v), outcome(canonicalizeSorted, v));
    }),
    { numRuns: 500 },
  );
});

function outcome(f: (x: unknown) => string, x: unknown): string {
  try {
    return `ok ${f(x)}`;
  } catch (e) {
    return `${(e as Error).name}: ${(e as Error).message}`;
  }
}

/** Rebuild plain objects and arrays with keys inserted in sorted order; anything else as it is. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return Array.from(value, sortKeys);
  if (value === null || typeof value !== "object") return value;
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const entries = Object.keys(value)
    .sort()
    .map((k): [string, unknown] => [k, sortKeys((value as Record<string, unknown>)[k])]);
  return Object.fromEntries(entries);
}

/** Rebuild every object with its keys inserted in a random order. */
function reorderKeys(value: unknown, random: () => number): unknown {
  if (Array.isArray(value)) return value.map((v) => reorderKeys(v, random));
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value).map(([k, v]): [string, unknown] => [k, reorderKeys(v, random)]);
  for (let i = entries.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [entries[i], entries[j]] = [entries[j] as [string, unknown], entries[i] as [string, unknown]];
  }
  // fromEntries defines own properties, so a "__proto__" key stays a key.
  return Object.fromEntries(entries);
}

/** A small seeded PRNG (mulberry32), so a failing shuffle replays from fast-check's seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Independent of Array.prototype.sort's default: compare UTF-16 code units explicitly. */
function compareCodeUnits(a: string, b: string): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const d = a.charCodeAt(i) - b.charCodeAt(i);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
