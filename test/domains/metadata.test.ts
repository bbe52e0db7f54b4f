import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { VigilError } from "../../src/errors.js";
import { isCalendarDate, parseArtifactId, parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";

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

/** The definition isCalendarDate computes by arithmetic: a day Date parses and prints back unchanged. */
function dateRoundTrips(v: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

void test("property: isCalendarDate agrees with Date's round trip, leap years and month ends included", () => {
  const two = (lo: number, hi: number) =>
    fc.integer({ min: lo, max: hi }).map((n) => String(n).padStart(2, "0"));
  const year = fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0"));
  const near = fc.tuple(year, two(0, 13), two(0, 32)).map(([y, m, d]) => `${y}-${m}-${d}`);
  const anything = fc.oneof(near, fc.string({ maxLength: 12 }), fc.stringMatching(/^[0-9-]{8,11}$/));
  fc.assert(
    fc.property(anything, (v) => isCalendarDate(v) === dateRoundTrips(v)),
    { numRuns: 20_000 },
  );
  for (const [v, ok] of [
    ["2000-02-29", true],
    ["1900-02-29", false],
    ["2024-02-29", true],
    ["2023-02-29", false],
    ["2026-04-31", false],
    ["2026-12-31", true],
    ["0000-01-01", true],
  ] as const)
    assert.equal(isCalendarDate(v), ok, v);
});
