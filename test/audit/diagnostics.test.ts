/**
 * The diagnostics bundle from a real locker: GNU tar reads it, it holds the
 * listed files, and no key, contents or metadata value is anywhere in it.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { gunzipSync } from "node:zlib";
import { runVerification } from "../../src/app/verification.js";
import { projectAll } from "../../src/app/projection.js";
import { collectDiagnostics } from "../../src/diagnostics/collect-diagnostics.js";
import { writeDiagnosticsArchive } from "../../src/diagnostics/write-archive.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { ingestFile } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { createAnchor } from "../../src/log/anchors.js";
import { addEvidence, newLocker, tempRoot, testClock } from "./fixtures.js";

const FILES = [
  "anchors.json",
  "doctor.json",
  "index-status.json",
  "last-verify-report.json",
  "manifest.json",
  "recent-records.jsonl",
  "storage-stats.json",
  "versions.json",
].map((n) => `vigil-diagnostics/${n}`);

const root = tempRoot("diagnostics");
const clock = testClock("2026-03-01T12:00:00Z");
const v = newLocker(root, clock);
const secret = (what: string) => `${what}-secret-${randomBytes(12).toString("hex")}`;
const labelValue = secret("label");
const name = secret("name");
const inlineText = secret("inline contents");
const fileText = secret("file contents");

for (let i = 0; i < 22; i++) {
  await addEvidence(v, [{ contents: `${inlineText} ${i}`, labels: { owner: labelValue }, name }]);
  await createAnchor({ log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock });
}
await addEvidence(
  v,
  Array.from({ length: 230 }, (_, i) => ({
    contents: `${inlineText} bulk ${i}`,
    labels: { owner: labelValue },
  })),
);
const bigPath = join(root, "big.txt");
writeFileSync(bigPath, `${fileText}\n`.repeat(4096));
await commitEvidence({ log: v.log, evidence: v.evidence, clock, project: projectAll }, [
  {
    contents: await ingestFile(bigPath, v.config.inlineLimit, v.blobs),
    meta: parseEvidenceMeta(
      { domain: "d", name, date: "2026-03-01", labels: { k: labelValue } },
      "t",
      v.config.retentionClasses,
    ),
  },
]);
// A forged anchor: a valid signed note, a row that disagrees with it.
const last = await v.log.latestCheckpoint();
await v.log.addCheckpoint({
  size: 22,
  root: Buffer.alloc(32),
  note: last?.note ?? "",
  createdAt: clock.now().toISOString(),
});
await runVerification(v, { mode: "quick", sample: 5, seed: 1 });
const journalSize = await v.log.size();
const createdAt = new Date("2026-03-01T12:30:00Z");
const files = await collectDiagnostics(v, { vigilVersion: "9.9.9-test", createdAt });
const archive = join(root, "diag.tar.gz");
await writeDiagnosticsArchive(archive, files, createdAt);
const out = join(root, "extracted");

function gnuTar(...args: string[]): string {
  const r = spawnSync("tar", args, { encoding: "utf8", env: { ...process.env, TZ: "UTC" } });
  assert.equal(r.status, 0, `tar ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

const read = (n: string) => readFileSync(join(out, "vigil-diagnostics", n), "utf8");
const readJson = <T>(n: string) => JSON.parse(read(n)) as T;

void test("GNU tar lists exactly the bundle's files, in name order, with one mtime and no owner names", () => {
  assert.deepEqual(gnuTar("-tzf", archive).trimEnd().split("\n"), FILES);
  for (const l of gnuTar("--numeric-owner", "--full-time", "-tvzf", archive).trimEnd().split("\n"))
    assert.match(l, /^-rw-r--r-- 0\/0 +\d+ 2026-03-01 12:30:00 vigil-diagnostics\//);
  gnuTar("-xzf", archive, "-C", root, "--one-top-level=extracted");
  assert.equal(statSync(archive).mode & 0o777, 0o600);
});

void test("no signing key, contents, label, name or other metadata value appears anywhere", () => {
  const tarBytes = gunzipSync(readFileSync(archive));
  const keyText = readFileSync(v.paths.signingKey, "utf8").trim();
  // PRIVATE+KEY+<name>+<hex id>+<base64>; the base64 part may itself contain "+".
  const keySecret = keyText.split("+").slice(4).join("+");
  assert.equal(Buffer.from(keySecret, "base64").length, 33, "the key's base64 part");
  const forbidden = [keySecret, keyText, "PRIVATE+KEY", labelValue, name, inlineText, fileText];
  for (const s of forbidden) assert.equal(tarBytes.includes(s), false, `archive contains ${s.slice(0, 24)}…`);
  assert.equal(tarBytes.includes(Buffer.from(keySecret, "base64").subarray(-32)), false, "raw key bytes");
  // The verifier key is public; a healthy locker's paths are not in it either.
  assert.equal(tarBytes.includes(v.verifierKey), true);
  assert.equal(tarBytes.includes(v.paths.dataDir), false);
});

void test("recent-records.jsonl: the last 200 records as leaf, type, time and digest only", () => {
  const lines = read("recent-records.jsonl")
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(lines.length, 200);
  assert.deepEqual(
    lines.map((l) => l.leaf),
    Array.from({ length: 200 }, (_, i) => journalSize - 200 + i),
  );
  for (const l of lines) {
    assert.deepEqual(Object.keys(l).sort(), ["digest", "leaf", "time", "type"]);
    assert.equal(l.type, "evidence.added");
    assert.equal(l.time, "2026-03-01T12:00:00.000Z");
    assert.match(String(l.digest), /^sha256:[0-9a-f]{64}$/);
  }
});

void test("anchors.json: the last 20 anchors, each checked; the forged one fails", () => {
  const anchors =
    readJson<{ seq: number; size: number; root: string; createdAt: string; verified: boolean }[]>(
      "anchors.json",
    );
  assert.deepEqual(
    anchors.map((a) => a.seq),
    Array.from({ length: 20 }, (_, i) => i + 4),
  );
  assert.deepEqual(
    anchors.map((a) => a.verified),
    [...Array<boolean>(19).fill(true), false],
  );
  assert.equal(anchors[18]?.size, 22);
  assert.match(anchors[0]?.root ?? "", /^[0-9a-f]{64}$/);
});

void test("status, stats, report, doctor and versions are there", () => {
  assert.equal(readJson<{ journalSize: number }>("index-status.json").journalSize, journalSize);
  const stats = readJson<{ artifacts: number; blobs: { files: number }; journal: { anchors: number } }>(
    "storage-stats.json",
  );
  assert.deepEqual([stats.artifacts, stats.blobs.files, stats.journal.anchors], [journalSize, 1, 23]);
  const report = readJson<{ report: { format: string; mode: string } } | null>("last-verify-report.json");
  assert.deepEqual([report?.report.format, report?.report.mode], ["vigil.verify-report", "quick"]);
  assert.ok(readJson<{ name: string }[]>("doctor.json").some((c) => c.name === "anchor"));
  const ver = readJson<{ vigil: string; node: string; sqlite: string }>("versions.json");
  assert.deepEqual([ver.vigil, ver.node], ["9.9.9-test", process.versions.node]);
  assert.match(ver.sqlite, /^3\.\d+\.\d+$/);
  const manifest = readJson<{ format: string; v: number; createdAt: string }>("manifest.json");
  assert.deepEqual(
    [manifest.format, manifest.v, manifest.createdAt],
    ["vigil.diagnostics", 1, createdAt.toISOString()],
  );
});

void test("equal inputs give a byte-identical archive; a fresh locker's report is null", async () => {
  const again = join(root, "again.tar.gz");
  await writeDiagnosticsArchive(again, files, createdAt);
  assert.ok(readFileSync(again).equals(readFileSync(archive)));
  const fresh = newLocker(root, clock, "fresh");
  const f = await collectDiagnostics(fresh, { vigilVersion: "x", createdAt });
  assert.equal(f.find((x) => x.name === "last-verify-report.json")?.content, "null\n");
  assert.equal(f.find((x) => x.name === "recent-records.jsonl")?.content, "");
  await fresh.close();
});
