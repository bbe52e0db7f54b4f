/**
 * End-to-end `vigil audit export`: the records were committed on a fixed
 * past day (library, fixed clock); the CLI runs on the real clock.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { expectError, expectJson, expectOk, useTempRoot, vigil } from "../cli/cli-helpers.js";
import { addEvidence, newLocker, testClock } from "./fixtures.js";

interface ExportOut {
  export: {
    status: string;
    day: string;
    records: number;
    file: string;
    checksumFile: string;
    partial: boolean;
  } | null;
  retention: { cutoff: string; removed: string[] } | null;
}

const root = useTempRoot("audit");
const v = newLocker(root, testClock("2024-05-01T09:00:00Z"));
await addEvidence(v, [{ contents: "one" }, { contents: "two" }]);
const data = v.paths.dataDir;
await v.close();
const out = join(root, "exports");
const today = new Date().toISOString().slice(0, 10);
const exportJson = (...args: string[]) =>
  expectJson<ExportOut>(vigil(data, "--json", "audit", "export", ...args));

function sha256sumCheck(name: string): void {
  const r = spawnSync("sha256sum", ["-c", name], { cwd: out, encoding: "utf8" });
  assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
}

void test("a complete day is written once, read-only, with a checksum that sha256sum -c accepts", () => {
  const first = exportJson("--date", "2024-05-01", "-o", out);
  assert.deepEqual([first.export?.status, first.export?.records, first.retention], ["written", 2, null]);
  const file = join(out, "audit-2024-05-01.jsonl");
  assert.equal(first.export?.file, file);
  sha256sumCheck("audit-2024-05-01.jsonl.sha256");
  assert.equal(statSync(file).mode & 0o777, 0o444);
  assert.equal(statSync(`${file}.sha256`).mode & 0o777, 0o444);
  const before = statSync(file);
  const again = exportJson("--date", "2024-05-01", "-o", out);
  assert.equal(again.export?.status, "exists");
  assert.deepEqual([statSync(file).ino, statSync(file).mtimeMs], [before.ino, before.mtimeMs]);
  assert.match(
    expectOk(vigil(data, "audit", "export", "--date", "2024-05-01", "-o", out)).stdout,
    /already exported/,
  );
});

void test("today is refused without --partial; --partial and --yesterday write their files", () => {
  expectError(
    vigil(data, "audit", "export", "--date", today, "-o", out),
    2,
    /USAGE.*not complete yet.*--partial/,
  );
  assert.equal(existsSync(join(out, `audit-${today}.jsonl`)), false);
  const partial = exportJson("--partial", "-o", out);
  assert.deepEqual([partial.export?.day, partial.export?.partial], [today, true]);
  assert.equal(partial.export?.file, join(out, `audit-${today}.partial.jsonl`));
  sha256sumCheck(`audit-${today}.partial.jsonl.sha256`);
  const yesterday = exportJson("--yesterday", "-o", out);
  assert.equal(yesterday.export?.day, new Date(Date.now() - 86_400_000).toISOString().slice(0, 10));
  assert.equal(yesterday.export?.records, 0);
});

void test("an altered export is an integrity failure (exit 1)", () => {
  const dir = join(root, "tampered");
  exportJson("--date", "2024-05-01", "-o", dir);
  const file = join(dir, "audit-2024-05-01.jsonl");
  chmodSync(file, 0o644);
  writeFileSync(file, "{}\n", { flag: "a" });
  expectError(vigil(data, "audit", "export", "--date", "2024-05-01", "-o", dir), 1, /INTEGRITY_FAILURE/);
});

void test("--retention-days removes old exports, lists them, and touches nothing else", () => {
  const dir = join(root, "retention");
  exportJson("--date", "2024-05-01", "-o", dir);
  exportJson("--date", "2024-05-02", "-o", dir);
  writeFileSync(join(dir, "notes.txt"), "keep me");
  exportJson("--yesterday", "-o", dir); // exporting alone removes nothing
  assert.equal(readdirSync(dir).length, 7);
  const r = exportJson("--retention-days", "30", "-o", dir);
  assert.equal(r.export, null);
  assert.deepEqual(r.retention?.removed, [
    "audit-2024-05-01.jsonl",
    "audit-2024-05-01.jsonl.sha256",
    "audit-2024-05-02.jsonl",
    "audit-2024-05-02.jsonl.sha256",
  ]);
  assert.equal(readdirSync(dir).sort().join(" ").includes("notes.txt"), true);
  assert.equal(readdirSync(dir).length, 3);
});

void test("usage errors: no day, two days, a bad date, zero retention", () => {
  expectError(vigil(data, "audit", "export", "-o", out), 2, /--date/);
  expectError(
    vigil(data, "audit", "export", "--date", "2024-05-01", "--yesterday", "-o", out),
    2,
    /not both/,
  );
  expectError(vigil(data, "audit", "export", "--date", "2024-02-30", "-o", out), 2, /calendar day/);
  expectError(vigil(data, "audit", "export", "--retention-days", "0", "-o", out), 2, /retention-days/);
});
