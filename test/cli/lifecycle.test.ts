/** Holds, retention expiry, mark-corrupted and recover, end to end through the CLI. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifactId,
  BACKEND,
  blobPath,
  copyLocker,
  embeddedTest,
  expectError,
  expectJson,
  expectOk,
  journalSize,
  lockerCopies,
  newLocker,
  useTempRoot,
  vigil,
  vigilWithInput,
  writeFile,
} from "./cli-helpers.js";
import { largeContentsStored, lockerSql } from "./locker-db.js";

const root = useTempRoot("lifecycle");

interface Report {
  result: string;
  findings: { kind: string; id: string; problem: string }[];
  expected: { id: string; problem: string }[];
  counts: { expired: number };
}

/** Overwrites an inline artifact's stored contents. */
function tamperInline(data: string, id: string, text: string): void {
  const r = lockerSql(
    data,
    "UPDATE blobs SET data = ? WHERE digest = ?",
    Buffer.from(text),
    Buffer.from(id.slice(7), "hex"),
  );
  assert.equal(r.changes, 1);
}

function add(data: string, body: string | Buffer, ...meta: string[]): string {
  expectOk(vigilWithInput(data, body, "evidence", "add", "-", "--domain", "ops", ...meta));
  return artifactId(Buffer.isBuffer(body) ? body : Buffer.from(body));
}

void test("retention expires old unheld contents, keeps records, and verification calls it expected", () => {
  const data = newLocker(root, "retention");
  const old = add(data, "old operational\n", "--name", "old", "--date", "2019-01-01");
  const held = add(data, "old but held\n", "--name", "held", "--date", "2019-01-02");
  const incident = add(
    data,
    "old incident\n",
    "--name",
    "inc",
    "--date",
    "2019-01-03",
    "--retention",
    "incident",
  );
  const big = Buffer.alloc(100_000, 7);
  const bigId = add(data, big, "--name", "big", "--date", "2019-01-04");
  const fresh = add(data, "recent\n", "--name", "recent");
  expectOk(vigil(data, "evidence", "hold", held, "--reason", "litigation 42"));
  expectError(vigil(data, "evidence", "hold", held, "--reason", "again"), 4, /already on hold/);
  expectError(vigil(data, "evidence", "hold", held), 5, /--reason/);
  expectOk(vigil(data, "anchor", "create"));
  const before = journalSize(data);
  const dry = expectJson<{ due: { id: string }[] }>(
    vigil(data, "--json", "cleanup", "--apply-retention", "--dry-run"),
  );
  assert.deepEqual(dry.due.map((d) => d.id).sort(), [old, bigId].sort());
  assert.equal(journalSize(data), before, "a dry run writes nothing");
  expectOk(vigil(data, "cleanup", "--apply-retention"));
  assert.equal(journalSize(data), before + 2, "one expiry record per artifact");
  assert.equal(largeContentsStored(data, bigId), false, "the file blob (the chunk rows) is removed");
  expectError(vigil(data, "evidence", "get", old), 3, /expired/);
  for (const id of [held, incident, fresh]) expectOk(vigil(data, "evidence", "get", id));
  expectOk(vigil(data, "evidence", "exists", old));
  const report = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"));
  assert.equal(report.result, "passed");
  assert.equal(report.counts.expired, 2);
  assert.deepEqual(report.expected.map((e) => e.id).sort(), [old, bigId].sort());
  expectOk(vigil(data, "anchor", "verify", "--all"));
  expectOk(vigil(data, "evidence", "release", held, "--reason", "settled"));
  expectError(vigil(data, "evidence", "release", held, "--reason", "twice"), 4, /not on hold/);
  expectOk(vigil(data, "cleanup", "--apply-retention"));
  expectError(vigil(data, "evidence", "get", held), 3, /expired/);
});

void test("a corrupted artifact: verify fails, mark-corrupted makes it a known state, recover restores it", () => {
  const data = newLocker(root, "corrupt");
  const id = add(data, "precious\n", "--name", "precious");
  const replica = copyLocker(data, join(root, "replica"));
  for (const dir of lockerCopies(data)) tamperInline(dir, id, "tampered\n");
  const failed = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"), 1);
  assert.ok(failed.findings.some((f) => f.id === id));
  expectOk(vigil(data, "evidence", "mark-corrupted", id, "--reason", "hash-mismatch"));
  const known = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"));
  assert.equal(known.result, "passed");
  assert.ok(known.expected.some((e) => e.id === id && /corrupted/.test(e.problem)));
  const get = vigil(data, "evidence", "get", id);
  assert.equal(get.status, 0);
  assert.match(get.stderr, /marked corrupted/);
  expectError(vigil(data, "recover", "--id", id, "--source", "replica", "--from", join(root, "nowhere")), 3);
  expectOk(vigil(data, "recover", "--id", id, "--source", "replica", "--from", replica));
  assert.equal(expectOk(vigil(data, "evidence", "get", id)).stdout, "precious\n");
  const clean = expectJson<Report>(vigil(data, "--json", "verify", "--mode", "full"));
  assert.deepEqual([clean.result, clean.expected.length], ["passed", 0]);
  const a = expectJson<{ stateHash: string }>(vigil(data, "--json", "index", "rebuild"));
  assert.equal(
    expectJson<{ stateHash: string }>(vigil(data, "--json", "index", "rebuild")).stateHash,
    a.stateHash,
  );
});

void test("recover refuses a source whose copy is damaged too, and changes nothing", () => {
  const data = newLocker(root, "both-bad");
  const id = add(data, "fragile\n", "--name", "fragile");
  const replica = copyLocker(data, join(root, "bad-replica"));
  for (const dir of [data, replica]) tamperInline(dir, id, "broken\n");
  const before = journalSize(data);
  expectError(vigil(data, "recover", "--id", id, "--source", "replica", "--from", replica), 1, /damaged too/);
  assert.equal(journalSize(data), before);
});

embeddedTest(
  "cleanup --temp-only removes old staging leftovers and unreferenced blob files only",
  "blob files and staging files are the embedded locker's",
  () => {
    const data = newLocker(root, "temp");
    const keep = add(data, Buffer.alloc(70_000, 1), "--name", "keep");
    const stale = writeFile(join(data, "blobs", "tmp", "123-abc.part"), "half written");
    void stale;
    const orphan = join(data, "blobs", "sha256", "ab", "cd", "abcd".padEnd(64, "0"));
    writeFile(orphan, "committed file whose record never made it");
    expectError(vigil(data, "cleanup"), 2);
    const young = expectJson<{ removed: string[] }>(vigil(data, "--json", "cleanup", "--temp-only"));
    assert.deepEqual(young.removed, [], "files younger than --min-age are left alone");
    const r = expectJson<{ removed: string[] }>(
      vigil(data, "--json", "cleanup", "--temp-only", "--min-age", "0s"),
    );
    assert.deepEqual(r.removed.sort(), [join(data, "blobs", "tmp", "123-abc.part"), orphan].sort());
    assert.ok(existsSync(blobPath(data, keep)));
    expectOk(vigil(data, "verify", "--mode", "full"));
  },
);

if (BACKEND === "postgres")
  void test("cleanup --temp-only on PostgreSQL removes old chunk rows nothing refers to, and only those", () => {
    const data = newLocker(root, "pg-temp");
    const keep = add(data, Buffer.alloc(1_200_000, 1), "--name", "keep"); // chunked, and referenced
    const age = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    // A staging run that died mid-upload an hour ago, one still being written, and contents
    // committed an hour ago whose record never made it.
    lockerSql(
      data,
      "INSERT INTO blob_chunks (stage, seq, data, staged_at) VALUES (9001, 0, ?, ?)",
      Buffer.alloc(10),
      age(60),
    );
    lockerSql(
      data,
      "INSERT INTO blob_chunks (stage, seq, data, staged_at) VALUES (9002, 0, ?, ?)",
      Buffer.alloc(10),
      age(1),
    );
    const orphan = "ab".repeat(32);
    lockerSql(
      data,
      "INSERT INTO blob_chunks (stage, seq, data, staged_at) VALUES (9003, 0, ?, ?)",
      Buffer.alloc(7),
      age(60),
    );
    lockerSql(
      data,
      "INSERT INTO blob_files (digest, size, stage, committed_at) VALUES (?, 7, 9003, ?)",
      Buffer.from(orphan, "hex"),
      age(60),
    );
    const r = expectJson<{ removed: string[] }>(vigil(data, "--json", "cleanup", "--temp-only"));
    assert.equal(r.removed.length, 2, r.removed.join("\n"));
    assert.match(r.removed.join("\n"), /staging run 9001: 1 chunk rows, 10 bytes/);
    assert.match(r.removed.join("\n"), new RegExp(`sha256:${orphan}: 7 bytes no record refers to`));
    const stages = (sql: string) => lockerSql(data, sql).rows.map((row) => Number(row.stage));
    assert.deepEqual(stages("SELECT stage FROM blob_chunks WHERE stage > 9000 ORDER BY stage"), [9002]);
    assert.deepEqual(stages("SELECT stage FROM blob_files WHERE stage > 9000"), []);
    assert.deepEqual(expectOk(vigil(data, "evidence", "get", keep)).stdoutBytes, Buffer.alloc(1_200_000, 1));
    expectOk(vigil(data, "verify", "--mode", "full"));
  });

void test("archive --older-than writes old evidence to a .tar that verify --offline and GNU tar accept", () => {
  const data = newLocker(root, "archive");
  const old = add(data, "from 2019\n", "--name", "old", "--date", "2019-06-01");
  const recent = add(data, "from today\n", "--name", "recent");
  expectOk(vigil(data, "anchor", "create"));
  const tar = join(root, "old.tar");
  const r = expectJson<{ artifacts: string[]; format: string }>(
    vigil(data, "--json", "archive", "--older-than", "365d", "-o", tar),
  );
  assert.deepEqual([r.artifacts, r.format], [[old], "tar"]);
  assert.ok(!r.artifacts.includes(recent));
  const key = expectOk(vigil(data, "key", "show")).stdout.trim();
  expectOk(vigil(data, "verify", "--offline", "--input", tar, "--trusted-key", key));
  const listing = spawnSync("tar", ["-tf", tar], { encoding: "utf8" });
  assert.equal(listing.status, 0);
  assert.match(listing.stdout, /SHA256SUMS/);
  expectError(vigil(data, "archive", "--older-than", "36500d", "-o", join(root, "none.tar")), 3);
});
