/** Audit export against a real locker on a fixed clock: day selection, file format, immutability. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, readFileSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { exportAuditDay, type AuditExportResult } from "../../src/audit/audit-export.js";
import type { Vigil } from "../../src/app/vigil.js";
import { isVigilError, type ErrorCode } from "../../src/errors.js";
import { addEvidence, appendRecord, newLocker, tempRoot, testClock } from "./fixtures.js";

const root = tempRoot("export");
const clock = testClock("2026-03-01T23:59:59.999Z");
const v = newLocker(root, clock);
const expected: number[] = []; // the leaves of 2026-03-02, in order
await addEvidence(v, [{ contents: "day one, last millisecond" }]); // leaf 0: 03-01
clock.set("2026-03-02T00:00:00.000Z");
await addEvidence(v, [{ contents: "first of day two" }, { contents: "second of day two" }]); // 1, 2
expected.push(1, 2);
clock.set("2026-03-03T00:00:00.000Z");
await addEvidence(v, [{ contents: "day three" }]); // 3: 03-03
expected.push(await appendRecord(v, { type: "incident.noted", v: 1, at: "2026-03-02T23:00:00+02:00" })); // 4
await appendRecord(v, { type: "incident.noted", v: 1, note: "no time at all" }); // 5: no day
await appendRecord(v, { type: "incident.noted", v: 1, at: "2026-03-02T23:00:00-02:00" }); // 6: 03-03 UTC
clock.set("2026-03-05T10:00:00.000Z");

const run = (dir: string, day: string, partial = false, on: Vigil = v) =>
  exportAuditDay({ log: on.log, clock: on.clock }, { dir, day, partial });

async function rejects(p: Promise<unknown>, code: ErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => isVigilError(e) && e.code === code && pattern.test(e.message));
}

interface Line {
  leaf: number;
  leafHash: string;
  record: Record<string, unknown>;
}

function readLines(path: string): { raw: string; line: Line }[] {
  const text = readFileSync(path, "utf8");
  if (text === "") return [];
  assert.ok(text.endsWith("\n"));
  return text
    .slice(0, -1)
    .split("\n")
    .map((raw) => ({ raw, line: JSON.parse(raw) as Line }));
}

function sha256sumCheck(dir: string, sumName: string): string {
  const r = spawnSync("sha256sum", ["-c", sumName], { cwd: dir, encoding: "utf8" });
  assert.equal(r.status, 0, `sha256sum -c ${sumName}: ${r.stdout}${r.stderr}`);
  return r.stdout;
}

void test("a day's records, in leaf order, with the stored bytes and their RFC 6962 leaf hashes", async () => {
  const dir = join(root, "out-format");
  const r = await run(dir, "2026-03-02");
  assert.deepEqual([r.status, r.records, r.partial], ["written", 3, false]);
  const lines = readLines(join(dir, "audit-2026-03-02.jsonl"));
  assert.deepEqual(
    lines.map((l) => l.line.leaf),
    expected,
  );
  const stored = await v.log.readEntries(0, 7);
  for (const { raw, line } of lines) {
    const bytes = stored[line.leaf]?.bytes as Buffer;
    // The line embeds the record's stored bytes verbatim, so anyone can recompute the leaf hash.
    assert.equal(
      raw,
      `{"leaf":${line.leaf},"leafHash":"${line.leafHash}","record":${bytes.toString("utf8")}}`,
    );
    const leaf = createHash("sha256").update(Buffer.of(0)).update(bytes).digest("hex");
    assert.equal(line.leafHash, leaf);
    assert.equal(line.record.type === "evidence.added" || line.record.at !== undefined, true);
  }
  assert.equal(lines[2]?.line.record.at, "2026-03-02T23:00:00+02:00");
});

void test("the checksum file is exact sha256sum output that sha256sum -c accepts; both files are 0444", async () => {
  const dir = join(root, "out-sum");
  const r = await run(dir, "2026-03-02");
  const data = readFileSync(r.file);
  const hex = createHash("sha256").update(data).digest("hex");
  assert.equal(readFileSync(r.checksumFile, "utf8"), `${hex}  audit-2026-03-02.jsonl\n`);
  assert.equal(r.sha256, hex);
  assert.equal(r.bytes, data.length);
  assert.equal(sha256sumCheck(dir, "audit-2026-03-02.jsonl.sha256"), "audit-2026-03-02.jsonl: OK\n");
  assert.equal(statSync(r.file).mode & 0o777, 0o444);
  assert.equal(statSync(r.checksumFile).mode & 0o777, 0o444);
});

void test("re-exporting a complete day is a no-op: same inode, same mtime, verified against its checksum", async () => {
  const dir = join(root, "out-again");
  const first = await run(dir, "2026-03-02");
  const before = [statSync(first.file), statSync(first.checksumFile)];
  await new Promise((resolve) => setTimeout(resolve, 20));
  const again = await run(dir, "2026-03-02");
  assert.equal(again.status, "exists");
  assert.deepEqual([again.records, again.sha256, again.bytes], [first.records, first.sha256, first.bytes]);
  const after = [statSync(first.file), statSync(first.checksumFile)];
  for (const [b, a] of before.map((s, i) => [s, after[i]] as const)) {
    assert.equal(a?.ino, b.ino);
    assert.equal(a?.mtimeMs, b.mtimeMs);
  }
});

void test("an altered export or checksum is an integrity failure, and is left as found", async () => {
  const dir = join(root, "out-tamper");
  const r = await run(dir, "2026-03-02");
  chmodSync(r.file, 0o644);
  const forged = readFileSync(r.file, "utf8").replace('"leaf":1,', '"leaf":9,');
  writeFileSync(r.file, forged);
  await rejects(run(dir, "2026-03-02"), "INTEGRITY_FAILURE", /does not match its checksum/);
  assert.equal(readFileSync(r.file, "utf8"), forged);
  chmodSync(r.checksumFile, 0o644);
  writeFileSync(r.checksumFile, `${r.sha256} audit-2026-03-02.jsonl\n`); // one space: not sha256sum's format
  await rejects(run(dir, "2026-03-02"), "INTEGRITY_FAILURE", /not a sha256sum line/);
});

void test("an interrupted export (file without checksum) is completed only if it equals the journal's records", async () => {
  const dir = join(root, "out-interrupted");
  const r = await run(dir, "2026-03-02");
  const ino = statSync(r.file).ino;
  unlinkSync(r.checksumFile);
  const done = await run(dir, "2026-03-02");
  assert.equal(done.status, "completed");
  assert.equal(statSync(r.file).ino, ino, "the export itself is not rewritten");
  sha256sumCheck(dir, "audit-2026-03-02.jsonl.sha256");
  unlinkSync(r.checksumFile);
  chmodSync(r.file, 0o644);
  writeFileSync(r.file, "{}\n");
  await rejects(run(dir, "2026-03-02"), "INTEGRITY_FAILURE", /differs from the journal/);
  unlinkSync(r.file);
  writeFileSync(r.checksumFile, `${r.sha256}  audit-2026-03-02.jsonl\n`);
  await rejects(run(dir, "2026-03-02"), "INTEGRITY_FAILURE", /was removed/);
});

void test("a day without records gives an empty file and the empty file's checksum", async () => {
  const dir = join(root, "out-empty");
  const r = await run(dir, "2026-03-04");
  assert.deepEqual([r.status, r.records, r.bytes], ["written", 0, 0]);
  assert.equal(r.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  sha256sumCheck(dir, "audit-2026-03-04.jsonl.sha256");
  const lastMs = readLines((await run(dir, "2026-03-01")).file).map((l) => l.line.leaf);
  assert.deepEqual(lastMs, [0], "23:59:59.999 belongs to its own day");
  assert.deepEqual(
    readLines((await run(dir, "2026-03-03")).file).map((l) => l.line.leaf),
    [3, 6],
    "a -02:00 offset late in the evening is the next UTC day; a record without time is in no day",
  );
});

void test("today is refused unless --partial, which writes a replaceable .partial file", async () => {
  const dir = join(root, "out-partial");
  await rejects(run(dir, "2026-03-05"), "USAGE", /today \(UTC\) and not complete/);
  await rejects(run(dir, "2026-03-06"), "USAGE", /in the future/);
  await rejects(run(dir, "2026-03-04", true), "USAGE", /is complete/);
  await addEvidence(v, [{ contents: "today, first" }]);
  const first: AuditExportResult = await run(dir, "2026-03-05", true);
  assert.equal(first.file, join(dir, "audit-2026-03-05.partial.jsonl"));
  assert.equal(first.records, 1);
  await addEvidence(v, [{ contents: "today, second" }]);
  const second = await run(dir, "2026-03-05", true);
  assert.equal(second.records, 2);
  assert.equal(statSync(second.file).mode & 0o777, 0o444);
  sha256sumCheck(dir, "audit-2026-03-05.partial.jsonl.sha256");
  assert.throws(() => statSync(join(dir, "audit-2026-03-05.jsonl")), /ENOENT/);
});

void test("a journal entry that does not match its leaf hash is not exported", async () => {
  const other = newLocker(root, testClock("2026-01-01T12:00:00Z"), "forged");
  await addEvidence(other, [{ contents: "original" }]);
  const db = new Database(other.paths.database);
  const body = (db.prepare("SELECT body FROM entries WHERE idx = 0").pluck().get() as Buffer).toString(
    "utf8",
  );
  db.prepare("UPDATE entries SET body = ? WHERE idx = 0").run(
    Buffer.from(body.replace('"domain":"audit"', '"domain":"audix"')),
  );
  db.close();
  const late = { log: other.log, clock: testClock("2026-01-03T00:00:00Z") };
  await assert.rejects(
    exportAuditDay(late, { dir: join(root, "out-forged"), day: "2026-01-01", partial: false }),
    (e: unknown) => isVigilError(e) && e.code === "INTEGRITY_FAILURE" && /entry 0/.test(e.message),
  );
  await other.close();
});
