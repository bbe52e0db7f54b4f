/**
 * End-to-end: `verify` passes on a clean locker and names exactly what was
 * tampered with (one fresh copy of a template locker per tampering case; in
 * remote mode its twin is copied and tampered with alike, so --server must
 * report the same findings).
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifactId,
  BACKEND,
  copyLocker,
  expectError,
  expectJson,
  expectJsonLines,
  expectOk,
  leafIn,
  lockerCopies,
  newLocker,
  useTempRoot,
  vigil,
  writeFile,
} from "./cli-helpers.js";
import { column, damageLargeContents, deleteLargeContents, lockerSql } from "./locker-db.js";

interface Finding {
  kind: string;
  id: string;
  problem: string;
}

interface Report {
  format: string;
  mode: string;
  result: string;
  sample: number | null;
  seed: number | null;
  journalSize: number;
  counts: { artifacts: number; bytes: number; leaves: number; nodes: number; anchors: number };
  findings: Finding[];
  reportId?: string | null;
  id?: string;
}

const root = useTempRoot("verify");

// The template: four inline artifacts, one 200 KiB file blob, one anchor.
const template = newLocker(root, "template");
const inputs = join(root, "inputs");
const small = [0, 1, 2, 3].map((i) =>
  writeFile(join(inputs, `s${i}.json`), `{"sample":${i},"pad":"${"x".repeat(40 + i)}"}\n`),
);
const big = writeFile(join(inputs, "big.bin"), randomBytes(200 * 1024));
const acks = expectJsonLines<{ id: string; leafIndex: number }>(
  vigil(template, "--json", "evidence", "add-batch", inputs, "--domain", "verify", "--date", "2024-05-01"),
);
assert.equal(acks.length, 5);
expectOk(vigil(template, "anchor", "create"));
const smallId = artifactId(small[1] as Buffer);
const bigId = artifactId(big);

let copies = 0;
function fresh(): string {
  return copyLocker(template, join(root, `copy-${++copies}`), { twin: true });
}

/** The one value of a one-row, one-column query. */
function one<T>(data: string, sql: string, ...params: unknown[]): T {
  const [v] = column<T>(lockerSql(data, sql, ...params));
  assert.ok(v !== undefined, sql);
  return v;
}

/** verify --mode full --json must exit 1 and name the expected kind and id. */
function expectFinding(data: string, kind: string, id: string): Report {
  const r = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"), 1);
  assert.equal(r.result, "failed");
  assert.ok(
    r.findings.some((f) => f.kind === kind && f.id === id),
    `expected a ${kind} finding for ${id}, got ${JSON.stringify(r.findings, null, 2)}`,
  );
  return r;
}

void test("verify full and quick pass on a clean locker and store a report", () => {
  const data = fresh();
  const full = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"));
  assert.equal(full.result, "passed");
  assert.deepEqual(full.findings, []);
  assert.equal(full.journalSize, 5);
  assert.deepEqual([full.counts.leaves, full.counts.artifacts, full.counts.anchors], [5, 5, 1]);
  assert.match(full.reportId ?? "", /^sha256:[0-9a-f]{64}$/);

  const quick = expectJson<Report>(
    vigil(data, "--json", "verify", "--mode", "quick", "--sample", "3", "--seed", "7"),
  );
  assert.deepEqual(
    [quick.result, quick.mode, quick.sample, quick.seed, quick.counts.leaves],
    ["passed", "quick", 3, 7, 3],
  );

  const stored = expectJson<Report>(vigil(data, "verify-report", "--latest", "--format", "json"));
  assert.equal(stored.result, "passed");
  assert.equal(stored.mode, "quick");
  assert.equal(stored.id, quick.reportId);
  assert.equal(
    expectOk(vigil(data, "verify-report", "--latest", "--filter", "failed")).stdout,
    "no failures\n",
  );
  // The report is itself evidence in the journal.
  assert.equal(
    expectJson<{ kind: string }>(vigil(data, "--json", "evidence", "inspect", quick.reportId as string)).kind,
    "verification-report",
  );

  expectOk(vigil(data, "storage", "check", smallId));
  const ok = expectJson<{ ok: boolean; storage: string }>(vigil(data, "--json", "storage", "check", bigId));
  assert.deepEqual([ok.ok, ok.storage], [true, "file"]);
});

void test("verify-report with no report yet exits 3", () => {
  expectError(vigil(template, "verify-report", "--latest"), 3, /no verification report/);
});

void test("(a) an inline blob overwritten in the database: artifact finding, storage check exits 1", () => {
  const data = fresh();
  const bytes = Buffer.from(small[1] as Buffer);
  bytes[5] = (bytes[5] as number) ^ 0x20; // same length, different contents
  const digest = Buffer.from(smallId.slice(7), "hex");
  for (const dir of lockerCopies(data))
    assert.equal(lockerSql(dir, "UPDATE blobs SET data = ? WHERE digest = ?", bytes, digest).changes, 1);
  expectFinding(data, "artifact", smallId);
  const failed = expectOk(vigil(data, "verify-report", "--latest", "--filter", "failed")).stdout;
  assert.match(failed, new RegExp(`^artifact ${smallId}: contents do not match`, "m"));
  const asJson = expectJson<Finding[]>(
    vigil(data, "verify-report", "--latest", "--filter", "failed", "--format", "json"),
  );
  assert.deepEqual(
    asJson.map((f) => [f.kind, f.id]),
    [["artifact", smallId]],
  );

  const check = vigil(data, "--json", "storage", "check", smallId);
  assert.equal(check.status, 1);
  assert.deepEqual(JSON.parse(check.stdout), {
    id: smallId,
    storage: "inline",
    size: (small[1] as Buffer).length,
    ok: false,
    problem: "contents do not match their sha256 digest",
  });
  expectOk(vigil(data, "storage", "check", artifactId(small[0] as Buffer)));
});

void test("(b) a file blob modified on disk (a chunk row on PostgreSQL): artifact finding, storage check exits 1", () => {
  const data = fresh();
  for (const dir of lockerCopies(data))
    damageLargeContents(dir, bigId, (b) => {
      const bytes = Buffer.from(b);
      bytes[1000] = (bytes[1000] as number) ^ 1;
      return bytes;
    });
  expectFinding(data, "artifact", bigId);
  assert.equal(vigil(data, "storage", "check", bigId).status, 1);
});

void test("(c) a file blob deleted (its chunks on PostgreSQL): artifact finding, storage check exits 1, get exits 6", () => {
  const data = fresh();
  for (const dir of lockerCopies(data)) deleteLargeContents(dir, bigId);
  expectFinding(data, "artifact", bigId);
  const check = vigil(data, "storage", "check", bigId);
  assert.equal(check.status, 1);
  assert.match(check.stdout, /FAIL/);
  expectError(vigil(data, "evidence", "get", bigId), 6, /missing/);
});

void test("(d) a journal entry's body rewritten: leaf/record finding for that leaf", () => {
  const data = fresh();
  for (const dir of lockerCopies(data)) {
    const idx = leafIn(data, dir, 2);
    const body = one<Buffer>(dir, "SELECT body FROM entries WHERE idx = ?", idx);
    const forged = Buffer.from(body.toString("utf8").replace('"domain":"verify"', '"domain":"verifx"'));
    assert.notDeepEqual(forged, body);
    assert.equal(lockerSql(dir, "UPDATE entries SET body = ? WHERE idx = ?", forged, idx).changes, 1);
  }
  const r = expectFinding(data, "leaf", "leaf 2");
  // The embedded verifier builds the tree from the stored leaf hashes, so only the leaf is named; the
  // streamed one (PostgreSQL) builds it from the records, so the nodes above leaf 2 and the anchor differ too.
  assert.deepEqual(
    r.findings.filter((f) => f.id !== "leaf 2").map((f) => f.id),
    BACKEND === "postgres" ? ["node 1/1", "node 2/0", "anchor 1"] : [],
    JSON.stringify(r.findings),
  );
});

void test("(e) a stored tree node replaced with random bytes: node finding naming level/index", () => {
  const data = fresh();
  const [id] = lockerCopies(data).map((dir) => {
    const row = one<number>(dir, "SELECT id FROM nodes ORDER BY id LIMIT 1");
    assert.equal(lockerSql(dir, "UPDATE nodes SET hash = ? WHERE id = ?", randomBytes(32), row).changes, 1);
    return row;
  }) as [number];
  const level = Math.floor(id / 2 ** 47);
  expectFinding(data, "node", `node ${level}/${id - level * 2 ** 47}`);
  const failed = expectOk(vigil(data, "verify-report", "--latest", "--filter", "failed")).stdout;
  assert.match(failed, /^node node \d+\/\d+: /m);
});

void test("(f) an anchor's signature altered: anchor finding; anchor verify exits 1", () => {
  const data = fresh();
  for (const dir of lockerCopies(data)) {
    const note = one<string>(dir, "SELECT note FROM checkpoints WHERE seq = 1");
    const lines = note.split("\n");
    const sigLine = lines.length - 2; // "— name base64sig", before the trailing ""
    const sig = lines[sigLine] as string;
    const at = sig.length - 12;
    lines[sigLine] = sig.slice(0, at) + (sig[at] === "A" ? "B" : "A") + sig.slice(at + 1);
    assert.equal(
      lockerSql(dir, "UPDATE checkpoints SET note = ? WHERE seq = 1", lines.join("\n")).changes,
      1,
    );
  }
  const r = expectFinding(data, "anchor", "anchor 1");
  assert.match(r.findings.find((f) => f.kind === "anchor")?.problem ?? "", /signature/);
  const av = vigil(data, "--json", "anchor", "verify", "--all");
  assert.equal(av.status, 1);
  assert.equal((JSON.parse(av.stdout) as { ok: boolean }).ok, false);
});
