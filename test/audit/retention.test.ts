/** Retention removes old exports only when asked, and nothing but exports. */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { exportAuditDay } from "../../src/audit/audit-export.js";
import { pruneAuditExports } from "../../src/audit/retention.js";
import { isVigilError } from "../../src/errors.js";
import { addEvidence, newLocker, tempRoot, testClock } from "./fixtures.js";

const root = tempRoot("retention");
const today = testClock("2026-03-10T08:00:00Z");

const EXPORTS = [
  "audit-2026-02-01.jsonl",
  "audit-2026-02-01.jsonl.sha256",
  "audit-2026-03-02.partial.jsonl",
  "audit-2026-03-02.partial.jsonl.sha256",
  "audit-2026-03-03.jsonl", // exactly 7 days before today: kept
  "audit-2026-03-03.jsonl.sha256",
  "audit-2026-03-09.jsonl",
];
const OTHERS = [
  "notes.txt",
  "audit-2026-02-01.jsonl.bak",
  "old-audit-2026-02-01.jsonl",
  ".audit-2026-02-01.jsonl.0123456789ab.tmp",
  "audit-2026-02-01.JSONL",
];

function fill(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const n of [...EXPORTS, ...OTHERS]) writeFileSync(join(dir, n), n);
  mkdirSync(join(dir, "audit-2026-01-01.jsonl")); // a directory named like an export
  symlinkSync(join(dir, "notes.txt"), join(dir, "audit-2026-01-02.jsonl")); // and a symlink
}

void test("exports of days more than N days old are removed and listed; everything else stays", async () => {
  const dir = join(root, "prune");
  fill(dir);
  const r = await pruneAuditExports(dir, 7, today);
  assert.equal(r.cutoff, "2026-03-03");
  assert.deepEqual(r.removed, EXPORTS.slice(0, 4));
  assert.deepEqual(
    readdirSync(dir).sort(),
    [...EXPORTS.slice(4), ...OTHERS, "audit-2026-01-01.jsonl", "audit-2026-01-02.jsonl"].sort(),
  );
  assert.deepEqual((await pruneAuditExports(dir, 7, today)).removed, [], "a second run finds nothing");
});

void test("exporting never removes anything: retention runs only when asked", async () => {
  const dir = join(root, "export-only");
  fill(dir);
  const v = newLocker(root, testClock("2026-03-09T12:00:00Z"));
  await addEvidence(v, [{ contents: "x" }]);
  // audit-2026-03-09.jsonl is there without a checksum and differs from the journal: never overwritten.
  await assert.rejects(
    exportAuditDay({ log: v.log, clock: today }, { dir, day: "2026-03-09", partial: false }),
    (e: unknown) => isVigilError(e) && e.code === "INTEGRITY_FAILURE",
  );
  await exportAuditDay({ log: v.log, clock: today }, { dir, day: "2026-03-08", partial: false });
  for (const n of [...EXPORTS, ...OTHERS]) assert.ok(readdirSync(dir).includes(n), `${n} was removed`);
  await v.close();
});

void test("fewer than one day of retention is refused", async () => {
  await assert.rejects(
    pruneAuditExports(join(root, "prune"), 0, today),
    (e: unknown) => isVigilError(e) && e.code === "USAGE",
  );
});
