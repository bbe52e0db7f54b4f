/**
 * End-to-end through bin/vigil: `vigil export` and `vigil verify --offline`,
 * their output, exit codes (0 ok, 1 integrity, 2 usage, 3 not found, 4 not
 * anchored, 5 malformed pack, 6 key problem) and one-line errors.
 */
import assert from "node:assert/strict";
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  copyLocker,
  expectError,
  expectJson,
  expectJsonLines,
  expectOk,
  newLocker,
  run,
  useTempRoot,
  vigil,
  writeFile,
} from "../cli/cli-helpers.js";
import { damageLargeContents, deleteLargeContents } from "../cli/locker-db.js";
import { otherVerifierKey, sha256hex } from "./pack-fixtures.js";
import { tarGz } from "./tar-craft.js";

const root = useTempRoot("packs");
const data = newLocker(root);
const keyFile = join(data, "keys", "signing.vkey");
const key = readFileSync(keyFile, "utf8").trim();

function add(name: string, body: string | Buffer, ...flags: string[]): string {
  const file = join(root, "in", name);
  writeFile(file, body);
  const [o] = expectJsonLines<{ id: string }>(
    vigil(data, "--json", "evidence", "add", file, "--date", "2026-03-01", ...flags),
  );
  return (o as { id: string }).id;
}

const base = add("base.json", '{"scan":1}\n', "--domain", "security", "--kind", "scan");
const report = add("report.txt", "report\n", "--domain", "security", "--kind", "report", "--parent", base);
const big = add("big.bin", Buffer.alloc(150_000, "x"), "--domain", "ops", "--kind", "dump");
expectOk(vigil(data, "anchor", "create"));
const firstNote = join(root, "first.note");
expectOk(vigil(data, "anchor", "export", "1", "-o", firstNote));
const later = add("later.txt", "later\n", "--domain", "ops", "--kind", "drill-report");
expectOk(vigil(data, "anchor", "create"));

const pack = join(root, "pack.tar.gz");
const packDir = join(root, "pack-dir");
const verify = (...args: string[]) => run(["verify", "--offline", ...args]);

interface ExportJson {
  output: string;
  format: string;
  artifacts: string[];
  sha256: string | null;
  checkpoint: { seq: number; size: number };
}

void test("vigil export --id --include-deps -o PACK.tar.gz reports the pack and its SHA-256", () => {
  const r = expectJson<ExportJson>(
    vigil(data, "--json", "export", "--id", report, "--include-deps", "-o", pack),
  );
  assert.equal(r.format, "tar.gz");
  assert.deepEqual(r.artifacts.sort(), [base, report].sort());
  assert.deepEqual(r.checkpoint, { seq: 2, size: 4 });
  assert.equal(r.sha256, sha256hex(readFileSync(pack)));
  const human = expectOk(vigil(data, "export", "--id", report, "-o", join(root, "one.tar.gz")));
  assert.match(human.stdout, /pack written to .*one\.tar\.gz \(tar\.gz\): 1 artifact/);
});

void test("vigil export --query with filters writes a directory", () => {
  const r = expectJson<ExportJson>(
    vigil(data, "--json", "export", "--query", "--domain", "ops", "-o", packDir),
  );
  assert.equal(r.format, "dir");
  assert.deepEqual(r.artifacts.sort(), [big, later].sort());
  assert.ok(existsSync(join(packDir, "SHA256SUMS")));
});

void test("vigil verify --offline passes with the trusted key as a file or as text, needing no locker", () => {
  const ok = expectOk(verify("--input", pack, "--trusted-key", keyFile));
  assert.match(ok.stdout, /^PASSED {2}offline verification of .*pack\.tar\.gz: 2 artifact\(s\)/);
  const j = expectJson<{ ok: boolean; findings: unknown[] }>(
    run([
      "--data",
      join(root, "no-locker-here"),
      "--json",
      "verify",
      "--offline",
      "--input",
      packDir,
      "--trusted-key",
      key,
    ]),
  );
  assert.deepEqual([j.ok, j.findings], [true, []]);
});

void test("another key is exit 6, one line, even with the pack's verifier.key swapped", () => {
  const other = otherVerifierKey(key.split("+")[0] as string);
  expectError(
    verify("--input", pack, "--trusted-key", other),
    6,
    /KEY_INVALID.*not signed by the trusted key/,
  );
  const swapped = join(root, "swapped");
  cpSync(packDir, swapped, { recursive: true });
  writeFileSync(join(swapped, "verifier.key"), `${other}\n`);
  expectError(
    verify("--input", swapped, "--trusted-key", other),
    6,
    /checkpoint is not signed by the trusted key/,
  );
  expectError(verify("--input", pack, "--trusted-key", "not-a-key"), 6, /trusted key/);
});

void test("tampered contents are exit 1, naming the file and artifact", () => {
  const bad = join(root, "tampered");
  cpSync(packDir, bad, { recursive: true });
  const file = join(bad, "contents", big.slice(7));
  const bytes = readFileSync(file);
  bytes[0] = (bytes[0] as number) ^ 1;
  writeFileSync(file, bytes);
  const r = verify("--input", bad, "--trusted-key", keyFile);
  assert.equal(r.status, 1, r.stderr);
  assert.match(r.stdout, /^FAILED/);
  assert.ok(
    r.stdout.includes(`contents/${big.slice(7)} (${big}): SHA-256 does not match SHA256SUMS`),
    r.stdout,
  );
  const j = expectJson<{ ok: boolean; findings: { file: string }[] }>(
    run(["--json", "verify", "--offline", "--input", bad, "--trusted-key", keyFile]),
    1,
  );
  assert.ok(j.findings.some((f) => f.file === `contents/${big.slice(7)}`));
});

void test("a hostile pack is exit 5 with one line", () => {
  const evil = join(root, "evil.tar.gz");
  writeFileSync(evil, tarGz([{ path: "../escape", data: Buffer.from("x") }]));
  expectError(verify("--input", evil, "--trusted-key", keyFile), 5, /INPUT_INVALID.*path traversal/);
  assert.equal(existsSync(join(root, "..", "escape")), false);
  expectError(verify("--input", firstNote, "--trusted-key", keyFile), 5, /not a valid gzip stream/);
});

void test("--since-checkpoint: an anchor exported earlier is consistent; an edited one fails", () => {
  const r = expectOk(verify("--input", pack, "--trusted-key", keyFile, "--since-checkpoint", firstNote));
  assert.match(r.stdout, /since-checkpoint size 3: consistent/);
  const forged = join(root, "forged.note");
  writeFileSync(forged, readFileSync(firstNote, "utf8").replace(/\n3\n/, "\n2\n"));
  const f = verify("--input", pack, "--trusted-key", keyFile, "--since-checkpoint", forged);
  assert.equal(f.status, 1, f.stderr);
  assert.match(f.stdout, /forged\.note: signature by the trusted key .* does not verify/);
  expectError(verify("--input", pack, "--trusted-key", keyFile, "--since-checkpoint", join(root, "none")), 3);
});

void test("export errors: usage, unknown ids, not yet anchored, missing contents", () => {
  expectError(vigil(data, "export", "-o", join(root, "x.tar.gz")), 2, /--id ID\.\.\. or --query/);
  expectError(vigil(data, "export", "--id", base, "--query", "-o", join(root, "x.tar.gz")), 2);
  expectError(
    vigil(data, "export", "--id", base, "--kind", "scan", "-o", join(root, "x.tar.gz")),
    2,
    /need --query/,
  );
  expectError(
    vigil(data, "export", "--id", `sha256:${"0".repeat(64)}`, "-o", join(root, "x.tar.gz")),
    3,
    /no artifact/,
  );
  const fresh = add("fresh.txt", "fresh\n", "--domain", "ops");
  expectError(
    vigil(data, "export", "--id", fresh, "-o", join(root, "x.tar.gz")),
    4,
    /not yet anchored.*vigil anchor create/,
  );
  const x = join(root, "x.tar.gz");
  const missing = copyLocker(data, join(root, "contents-missing"));
  deleteLargeContents(missing, big);
  const gone = expectError(vigil(missing, "export", "--id", big, "--id", base, "-o", x), 3);
  assert.ok(gone.includes(`contents unavailable for 1 artifact(s): ${big} (missing)`), gone);
  const damaged = copyLocker(data, join(root, "contents-damaged"));
  damageLargeContents(damaged, big, (b) => Buffer.concat([Buffer.of((b[0] as number) ^ 1), b.subarray(1)]));
  const bad = expectError(vigil(damaged, "export", "--id", big, "-o", x), 1, /INTEGRITY_FAILURE/);
  assert.ok(bad.includes(`contents of ${big} do not match its digest`), bad);
  assert.deepEqual(
    readdirSync(root).filter((n) => n.includes("x.tar.gz")),
    [],
    "no pack, temporary file or staging directory left",
  );
});
