/** The batch route's base64 check: exactly the strict RFC 4648 alphabet and padding, and the bytes it names. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import fc from "fast-check";
import { decodeStrictBase64 } from "../../src/server/routes/strict-base64.js";

// The check the route made before: the reference the fast one must agree with.
const REFERENCE = /^[A-Za-z0-9+/]*={0,2}$/;
const strict = (s: string) => s.length % 4 === 0 && REFERENCE.test(s);

void test("accepts exactly what the strict alphabet and padding accept", () => {
  // Mostly base64 characters, with the ones Node's decoder is lenient about mixed in.
  const char = fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom(..."AQgz09+/") },
    { weight: 2, arbitrary: fc.constantFrom(..."=-_ \n\t$.\u00e9\u20ac\u0000") },
  );
  fc.assert(
    fc.property(fc.array(char, { maxLength: 16 }), (cs) => {
      const s = cs.join("");
      assert.equal(decodeStrictBase64(s) !== null, strict(s), JSON.stringify(s));
    }),
    { numRuns: 20_000 },
  );
  for (const s of ["A===", "AA=A", "AAA=AAAA", "AAAA====", "-_-_", "AAAA AAA", "AB==", ""])
    assert.equal(decodeStrictBase64(s) !== null, strict(s), JSON.stringify(s));
});

void test("gives the encoded bytes back, for every length and padding", () => {
  for (let n = 0; n < 70; n++) {
    const bytes = randomBytes(n);
    assert.deepEqual(decodeStrictBase64(bytes.toString("base64")), bytes, `${n} bytes`);
  }
});
