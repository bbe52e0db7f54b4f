/**
 * parseManifest's artifact entries: a manifest lists tens of thousands, so
 * well-formed entries take a check that names no entry, and only a bad one
 * is parsed again to say what is wrong. Property: an entry is accepted
 * exactly when it has the six fields (no more) with the types the format
 * gives them, and is returned as given; otherwise the error names its index.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { VigilError } from "../../src/errors.js";
import { parseManifest } from "../../src/packs/manifest.js";
import { PACK_FORMAT, PACK_VERSION } from "../../src/packs/pack-layout.js";

const hex64 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 });
const good = fc.record({
  id: hex64.map((h) => `sha256:${h}`),
  leafIndex: fc.nat(),
  size: fc.nat(),
  record: fc.string(),
  contents: fc.string(),
  proof: fc.string(),
});
const FIELDS = ["id", "leafIndex", "size", "record", "contents", "proof"] as const;
const oddValue = fc.oneof(
  fc.constant(-1),
  fc.constant(1.5),
  fc.constant(2 ** 53),
  fc.constant(null),
  fc.constant("7"),
  fc.constant([]),
  fc.constant({}),
  fc.constant("sha256:ABC"),
  hex64,
);
/** A good entry, or one edited: a field dropped, given an odd value, or one field added. */
const entry = fc.oneof(
  good.map((a) => ({ value: a, ok: true })),
  fc.tuple(good, fc.constantFrom(...FIELDS)).map(([a, k]) => {
    const { [k]: _, ...rest } = a;
    return { value: rest, ok: false };
  }),
  fc.tuple(good, fc.constantFrom(...FIELDS), oddValue).map(([a, k, v]) => {
    const value = { ...a, [k]: v };
    const ok =
      k === "id"
        ? typeof v === "string" && /^sha256:[0-9a-f]{64}$/.test(v)
        : k === "leafIndex" || k === "size"
          ? Number.isSafeInteger(v) && (v as number) >= 0
          : typeof v === "string";
    return { value: value, ok };
  }),
  fc.tuple(good, fc.constantFrom("extra", "ID", "__proto__x")).map(([a, k]) => ({
    value: { ...a, [k]: 1 },
    ok: false,
  })),
  fc.constantFrom(null, 7, "x", [] as unknown).map((value) => ({ value, ok: false })),
);

const manifest = (artifacts: unknown[]) =>
  Buffer.from(
    JSON.stringify({
      format: PACK_FORMAT,
      v: PACK_VERSION,
      origin: "vigil.local/test",
      checkpoint: { seq: 1, size: 1, root: Buffer.alloc(32, 7).toString("base64") },
      artifacts,
    }),
  );

void test("an artifact entry is accepted exactly when well formed, returned as given; a bad one is named", () => {
  fc.assert(
    fc.property(fc.array(entry, { maxLength: 8 }), (entries) => {
      const bytes = manifest(entries.map((e) => e.value));
      const bad = entries.findIndex((e) => !e.ok);
      if (bad === -1) {
        const m = parseManifest(bytes, "pack");
        // As plain JSON objects (fast-check's records have no prototype).
        assert.deepEqual(m.artifacts, JSON.parse(JSON.stringify(entries.map((e) => e.value))));
      } else
        assert.throws(
          () => parseManifest(bytes, "pack"),
          (e: unknown) =>
            e instanceof VigilError && e.code === "INPUT_INVALID" && e.message.includes(`artifacts[${bad}]`),
        );
    }),
    { numRuns: 1000 },
  );
});
