/** End-to-end `vigil diagnostics`: a bundle GNU tar reads, without keys, contents or labels. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import {
  expectError,
  expectJson,
  expectOk,
  newLocker,
  useTempRoot,
  vigil,
  writeFile,
} from "../cli/cli-helpers.js";

const root = useTempRoot("diagnostics");
const data = newLocker(root);
const contents = `contents-${randomBytes(16).toString("hex")}`;
const label = `label-${randomBytes(16).toString("hex")}`;
const input = writeFile(join(root, "in", "report.json"), `{"secret":"${contents}"}\n`);
assert.ok(input.length > 0);
expectOk(
  vigil(
    data,
    "evidence",
    "add",
    join(root, "in", "report.json"),
    "--domain",
    "ops",
    "--label",
    `owner=${label}`,
  ),
);
expectOk(vigil(data, "anchor", "create"));
expectOk(vigil(data, "verify"));

void test("writes a .tar.gz of the bundle's files that holds no key, contents or label", () => {
  const file = join(root, "diag.tar.gz");
  const r = expectJson<{ file: string; entries: string[] }>(vigil(data, "--json", "diagnostics", "-o", file));
  const listed = spawnSync("tar", ["-tzf", file], { encoding: "utf8" });
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual(listed.stdout.trimEnd().split("\n"), r.entries);
  assert.deepEqual(
    r.entries.map((e) => e.replace(/^vigil-diagnostics\//, "")),
    [
      "anchors.json",
      "doctor.json",
      "index-status.json",
      "last-verify-report.json",
      "manifest.json",
      "recent-records.jsonl",
      "storage-stats.json",
      "versions.json",
    ],
  );
  const tar = gunzipSync(readFileSync(file));
  const key = readFileSync(join(data, "keys", "signing.key"), "utf8").trim();
  for (const s of [key.split("+").slice(4).join("+"), contents, label])
    assert.equal(tar.includes(s), false, `archive contains ${s.slice(0, 12)}…`);
  const { version } = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  assert.equal(tar.includes(`"vigil": "${version}"`), true, "versions.json names the program's version");
});

void test("-o is required; an unwritable place is an error naming it", () => {
  expectError(vigil(data, "diagnostics"), 2);
  expectError(vigil(data, "diagnostics", "-o", join(root, "missing", "d.tar.gz")), 3, /missing/);
});
