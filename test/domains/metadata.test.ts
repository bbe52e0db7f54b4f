import assert from "node:assert/strict";
import { test } from "node:test";
import { VigilError } from "../../src/errors.js";
import { parseArtifactId, parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";

const CLASSES = ["operational", "audit", "incident", "pci"];

function problems(raw: Parameters<typeof parseEvidenceMeta>[0]): string {
  try {
    parseEvidenceMeta(raw, "line 3", CLASSES);
  } catch (e) {
    assert.ok(e instanceof VigilError);
    assert.equal(e.code, "INPUT_INVALID");
    return e.message;
  }
  assert.fail("expected INPUT_INVALID");
}

void test("defaults: tenant default, subdomain general, kind generic, retention operational, no labels or parents", () => {
  const m = parseEvidenceMeta({ domain: "sec", name: "scan", date: "2026-01-31" }, "x", CLASSES);
  assert.deepEqual(m, {
    tenant: "default",
    domain: "sec",
    subdomain: "general",
    name: "scan",
    date: "2026-01-31",
    kind: "generic",
    labels: {},
    retention: "operational",
    producer: null,
    parents: [],
    ext: ".json",
  });
});

void test("every bad field is reported at once, with where it came from", () => {
  const msg = problems({
    domain: "Bad Domain",
    name: "",
    date: "2026-02-30",
    retention: "forever",
    labels: { "Bad Key": "v" },
    parents: ["nope"],
  });
  assert.match(msg, /^line 3: /);
  for (const field of ["domain", "name", "date", "retention", "label", "parents"])
    assert.match(msg, new RegExp(field));
});

void test("dates must exist on the calendar", () => {
  assert.match(problems({ domain: "a", name: "b", date: "2025-02-29" }), /date/);
  assert.match(problems({ domain: "a", name: "b", date: "2026-13-01" }), /date/);
  assert.equal(
    parseEvidenceMeta({ domain: "a", name: "b", date: "2024-02-29" }, "x", CLASSES).date,
    "2024-02-29",
  );
});

void test("custom retention classes come from the locker configuration", () => {
  assert.equal(
    parseEvidenceMeta({ domain: "a", name: "b", date: "2026-01-01", retention: "pci" }, "x", CLASSES)
      .retention,
    "pci",
  );
  assert.match(problems({ domain: "a", name: "b", date: "2026-01-01", retention: "pcix" }), /retention/);
});

void test("parents are normalised to sha256:<hex>, de-duplicated and sorted", () => {
  const a = "b".repeat(64);
  const b = "a".repeat(64);
  const m = parseEvidenceMeta(
    { domain: "a", name: "b", date: "2026-01-01", parents: [a, `sha256:${b}`, `sha256:${a}`] },
    "x",
    CLASSES,
  );
  assert.deepEqual(m.parents, [`sha256:${b}`, `sha256:${a}`]);
});

void test("producers with control characters and labels that are not strings are refused", () => {
  assert.match(problems({ domain: "a", name: "b", date: "2026-01-01", producer: "x\ny" }), /producer/);
  assert.match(problems({ domain: "a", name: "b", date: "2026-01-01", labels: { k: 1 } }), /label/);
});

void test("artifact ids: sha256:<hex> or bare hex, nothing else", () => {
  const hex = "0f".repeat(32);
  assert.deepEqual(parseArtifactId(hex), Buffer.from(hex, "hex"));
  assert.deepEqual(parseArtifactId(`sha256:${hex}`), Buffer.from(hex, "hex"));
  for (const bad of ["sha256:" + hex.slice(1), hex.toUpperCase(), "md5:" + hex, ""]) {
    assert.throws(
      () => parseArtifactId(bad),
      (e: unknown) => e instanceof VigilError && e.code === "INPUT_INVALID",
    );
  }
});
