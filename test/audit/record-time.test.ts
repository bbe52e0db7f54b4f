/** A record's time and day: `at ?? addedAt`, UTC days, --date parsing. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDay, recordDay, recordTime, shiftDay, utcDay } from "../../src/audit/record-time.js";
import { isVigilError } from "../../src/errors.js";

/** The day, both ways: recordDay's shortcut for "Z" times must agree with recordTime. */
const day = (r: Record<string, unknown>) => {
  const t = recordTime(r);
  assert.equal(recordDay(r), t === null ? null : utcDay(t));
  return recordDay(r);
};

void test("at wins over addedAt; addedAt is the fallback; neither means no time", () => {
  assert.equal(day({ at: "2026-03-02T10:00:00Z", addedAt: "2026-03-05T10:00:00Z" }), "2026-03-02");
  assert.equal(day({ addedAt: "2026-03-05T23:59:59.999Z" }), "2026-03-05");
  assert.equal(recordTime({ type: "x.y", v: 1 }), null);
  assert.equal(
    recordTime({ at: null, addedAt: "2026-03-05T00:00:00Z" })?.toISOString(),
    "2026-03-05T00:00:00.000Z",
  );
});

void test("offsets are converted to the UTC day", () => {
  assert.equal(day({ at: "2026-03-02T01:30:00+02:00" }), "2026-03-01");
  assert.equal(day({ at: "2026-03-01T22:30:00-02:00" }), "2026-03-02");
});

void test("a time that is not an ISO instant with an offset is no time", () => {
  for (const bad of [
    "2026-03-02",
    "2026-03-02T10:00:00",
    "2026-13-02T10:00:00Z",
    "2026-02-30T10:00:00Z",
    "2026-03-02T24:00:00Z",
    "2026-03-02T10:00:00+2:00",
    "yesterday",
    "",
    1767225600000,
    { t: 1 },
  ]) {
    // V8's Date.parse takes 2026-02-30 as March 2 and T24:00 as the next day: neither is a time here.
    assert.equal(day({ at: bad }), null, `accepted ${JSON.stringify(bad)}`);
  }
  assert.equal(
    recordTime({ at: "not a time", addedAt: "2026-03-05T00:00:00Z" }),
    null,
    "at present: no fallback",
  );
});

void test("parseDay accepts only real calendar days", () => {
  assert.equal(parseDay("2024-02-29"), "2024-02-29");
  for (const bad of [
    "2023-02-29",
    "2026-2-3",
    "2026-02-03T00:00:00Z",
    "20260203",
    " 2026-02-03",
    "0000-01-01",
  ]) {
    assert.throws(
      () => parseDay(bad),
      (e: unknown) => isVigilError(e) && e.code === "USAGE",
      bad,
    );
  }
});

void test("shiftDay crosses months, years and leap days", () => {
  assert.equal(shiftDay("2024-03-01", -1), "2024-02-29");
  assert.equal(shiftDay("2026-01-01", -1), "2025-12-31");
  assert.equal(shiftDay("2026-12-31", 1), "2027-01-01");
  assert.equal(shiftDay("2026-03-10", -7), "2026-03-03");
});
