/**
 * End-to-end: damaged lockers and bad inputs fail with the documented exit
 * code and a one-line message (never a stack trace); index rebuild and
 * doctor on healthy lockers.
 */
import assert from "node:assert/strict";
import {
  chmodSync,
  chownSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import {
  BACKEND,
  IS_ROOT,
  copyLocker,
  embeddedTest,
  expectError,
  expectJson,
  expectOk,
  journalSize,
  newLocker,
  run,
  useTempRoot,
  vigil,
  writeFile,
} from "./cli-helpers.js";
import { databaseUrlOf, lockerSql } from "./locker-db.js";
import { adminSql } from "./pg-sync.js";

const root = useTempRoot("faults");

// The template: a locker with enough data that half of its database is a lot of missing pages.
const template = newLocker(root, "template");
const inputs = join(root, "inputs");
for (let i = 0; i < 40; i++)
  writeFile(
    join(inputs, `f${String(i).padStart(2, "0")}.json`),
    `{"i":${i},"pad":"${String(i).repeat(3000)}"}\n`,
  );
expectOk(vigil(template, "evidence", "add-batch", inputs, "--domain", "faults", "--date", "2024-08-01"));
expectOk(vigil(template, "anchor", "create"));

let copies = 0;
function fresh(): string {
  return copyLocker(template, join(root, `copy-${++copies}`));
}

const VIGIL_DB = "damages the SQLite file vigil.db itself";

embeddedTest(
  "a truncated database: commands exit 6 with a one-line message about the database",
  VIGIL_DB,
  () => {
    const data = fresh();
    const db = join(data, "vigil.db");
    const size = statSync(db).size;
    assert.ok(size > 64 * 1024, `database is ${size} bytes`);
    truncateSync(db, Math.floor(size / 2));
    for (const args of [
      ["status"],
      ["evidence", "list"],
      ["verify", "--mode", "full"],
      ["anchor", "create"],
    ]) {
      expectError(vigil(data, ...args), 6, /database/);
    }
  },
);

embeddedTest("a database that is not SQLite, or is missing, exits 6", VIGIL_DB, () => {
  const garbage = fresh();
  writeFileSync(join(garbage, "vigil.db"), Buffer.alloc(8192, "not a database "));
  expectError(vigil(garbage, "status"), 6, /database/);
  const missing = fresh();
  unlinkSync(join(missing, "vigil.db"));
  expectError(vigil(missing, "status"), 6, /database .* is missing/);
});

void test("a database from a newer vigil (a future schema version) exits 6 and asks to upgrade", () => {
  const data = fresh();
  if (BACKEND === "postgres") lockerSql(data, "UPDATE meta SET value = '999' WHERE key = 'schema_version'");
  else {
    const db = new Database(join(data, "vigil.db"));
    db.pragma("user_version = 999");
    db.close();
  }
  expectError(vigil(data, "status"), 6, /newer than this vigil/);
});

if (BACKEND === "postgres")
  void test("a PostgreSQL database that is gone exits 6 with a one-line message naming it", () => {
    const data = fresh();
    const name = new URL(databaseUrlOf(data) as string).pathname.slice(1);
    adminSql(`DROP DATABASE ${name} WITH (FORCE)`);
    for (const args of [["status"], ["evidence", "list"], ["doctor"]])
      expectError(vigil(data, ...args), 6, new RegExp(`database "${name}" does not exist`));
  });

if (BACKEND === "postgres")
  void test("a PostgreSQL role the server refuses exits 7 (permission denied), naming no secret", () => {
    const data = fresh();
    const config = join(data, "vigil.json");
    const c = JSON.parse(readFileSync(config, "utf8")) as { databaseUrl: string };
    const url = new URL(c.databaseUrl);
    url.username = "vigil_no_such_role";
    writeFileSync(config, JSON.stringify({ ...c, databaseUrl: url.toString() }));
    expectError(vigil(data, "status"), 7, /refused the credentials \(28000\)/);
  });

void test("a garbage vigil.json exits 6 with a one-line message", () => {
  const data = fresh();
  writeFileSync(join(data, "vigil.json"), "garbage\n");
  expectError(vigil(data, "status"), 6, /vigil\.json/);
});

void test("a vigil.json that is JSON but not a locker config exits 6 naming the field", () => {
  const data = fresh();
  const config = JSON.parse(readFileSync(join(data, "vigil.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(data, "vigil.json"), JSON.stringify({ ...config, format: "something-else" }));
  expectError(vigil(data, "status"), 6, /field format/);
});

void test("a signing key readable by others (chmod 644) exits 7 (even for root: the mode is checked)", () => {
  const data = fresh();
  const key = join(data, "keys", "signing.key");
  chmodSync(key, 0o644);
  expectError(vigil(data, "status"), 7, /signing key .* readable by others .*chmod 600/);
  expectError(vigil(data, "key", "show"), 7);
  chmodSync(key, 0o600);
  expectOk(vigil(data, "status"));
});

void test("a garbled signing key file exits 6", () => {
  const data = fresh();
  const key = join(data, "keys", "signing.key");
  const m = /^(PRIVATE\+KEY)\+([^+]+)\+([0-9a-f]{8})\+(\S+)$/.exec(readFileSync(key, "utf8").trim());
  assert.ok(m !== null);
  const [, prefix, name, id, seed] = m;
  const cases = [
    "PRIVATE+KEY+garbage\n",
    "",
    `${prefix}+${name}+${id}+AQ==\n`, // key too short
    `${prefix}+${name}+${id === "00000000" ? "00000001" : "00000000"}+${seed}\n`, // key id does not match
  ];
  for (const text of cases) {
    writeFileSync(key, text, { mode: 0o600 });
    expectError(vigil(data, "status"), 6, /signing key/);
  }
  unlinkSync(key);
  expectError(vigil(data, "status"), 6, /signing key .* cannot be read/);
});

void test("a valid signing key that is not this locker's (another locker's key) exits 6", () => {
  const data = fresh();
  const other = newLocker(root, "other-locker");
  copyFileSync(join(other, "keys", "signing.key"), join(data, "keys", "signing.key"));
  chmodSync(join(data, "keys", "signing.key"), 0o600);
  // Otherwise `key show` hands auditors another locker's verifier key and new anchors are
  // signed by a key that the published keys/signing.vkey does not verify.
  expectError(vigil(data, "key", "show"), 6, /signing key/);
  expectError(vigil(data, "anchor", "create"), 6, /signing key/);
});

void test("add of a missing file exits 3; add of a directory exits 5; nothing is written", () => {
  const data = fresh();
  const before = journalSize(data);
  expectError(
    vigil(data, "evidence", "add", join(root, "no-such-file.json"), "--domain", "x"),
    3,
    /no such file/,
  );
  const dir = join(root, "a-directory");
  mkdirSync(dir, { recursive: true });
  expectError(vigil(data, "evidence", "add", dir, "--domain", "x"), 5, /not a regular file|directory/);
  expectError(vigil(data, "evidence", "add-batch", join(root, "no-such-dir"), "--domain", "x"), 3);
  expectError(vigil(data, "evidence", "add-batch", dir, "--domain", "x"), 5, /no files/);
  assert.equal(journalSize(data), before);
});

void test("add-batch of an unreadable directory exits 7", () => {
  const data = fresh();
  const dir = join(root, "locked");
  writeFile(join(dir, "inside.json"), "{}\n");
  // Root ignores permission bits: as root, run the CLI as nobody over files nobody owns.
  const asUser = IS_ROOT ? NOBODY : undefined;
  if (asUser !== undefined) {
    chmodSync(root, 0o755);
    for (const p of [data, dir]) chownTree(p, asUser);
  }
  chmodSync(dir, 0o000);
  try {
    expectError(
      run(["--data", data, "evidence", "add-batch", dir, "--domain", "x"], { asUser }),
      7,
      /cannot list directory/,
    );
  } finally {
    chmodSync(dir, 0o700);
  }
});

const NOBODY = 65534;

function chownTree(path: string, uid: number): void {
  chownSync(path, uid, uid);
  if (statSync(path).isDirectory()) for (const n of readdirSync(path)) chownTree(join(path, n), uid);
}

void test("index rebuild is deterministic (same stateHash twice) and index status shows lag 0", () => {
  const data = fresh();
  type Rebuild = { records: number; stateHash: string; seconds: number };
  const one = expectJson<Rebuild>(vigil(data, "--json", "index", "rebuild"));
  const two = expectJson<Rebuild>(vigil(data, "--json", "index", "rebuild"));
  assert.match(one.stateHash, /^[0-9a-f]{64}$/);
  assert.equal(two.stateHash, one.stateHash);
  assert.equal(one.records, 40);
  const s = expectJson<{ journalSize: number; position: number; lag: number; rows: { evidence: number } }>(
    vigil(data, "--json", "index", "status"),
  );
  assert.deepEqual(s, { journalSize: 40, position: 40, lag: 0, rows: { evidence: 40 } });
  assert.match(expectOk(vigil(data, "index", "status")).stdout, /in step/);
  // The same journal in another copy of the locker rebuilds to the same state.
  assert.equal(expectJson<Rebuild>(vigil(fresh(), "--json", "index", "rebuild")).stateHash, one.stateHash);
  // A new record changes it.
  writeFile(join(root, "one-more.json"), '{"more":1}\n');
  expectOk(vigil(data, "evidence", "add", join(root, "one-more.json"), "--domain", "faults"));
  assert.notEqual(expectJson<Rebuild>(vigil(data, "--json", "index", "rebuild")).stateHash, one.stateHash);
});

if (BACKEND === "postgres")
  void test("on PostgreSQL the embedded-only commands refuse (exit 2) and point to the database's own tools", () => {
    const data = fresh();
    const follower = join(root, "pg-follower");
    for (const args of [
      ["backup", "create"],
      ["restore", "--to-anchor", "1"],
      ["index", "optimize"],
    ])
      expectError(vigil(data, ...args), 2, /UNSUPPORTED.*embedded SQLite locker.*PostgreSQL.*pg_dump/);
    expectError(vigil(data, "replicate", "--from", data, "--to", follower), 2, /UNSUPPORTED.*PostgreSQL/);
    assert.equal(existsSync(follower), false, "no follower was made");
    assert.equal(existsSync(join(data, "backups")), false, "no backup was started");
  });

if (BACKEND === "postgres")
  void test("doctor fails its storage check when a journal entry is missing from the database", () => {
    const data = fresh();
    assert.equal(lockerSql(data, "DELETE FROM entries WHERE idx = ?", 7).changes, 1);
    const r = vigil(data, "--json", "doctor");
    const checks = expectJson<{ name: string; status: string; detail: string }[]>(r, 1);
    const storage = checks.find((c) => c.name === "storage");
    assert.deepEqual(
      [storage?.status, storage?.detail],
      ["fail", "1 journal entries are missing below the latest"],
    );
  });

void test("doctor --json reports every check ok on a fresh locker", () => {
  const data = newLocker(root, "doctor");
  const checks = expectJson<{ name: string; status: string; detail: string }[]>(
    vigil(data, "--json", "doctor"),
  );
  assert.deepEqual(checks.map((c) => c.name).sort(), ["anchor", "disk", "index", "key", "storage"]);
  for (const c of checks) assert.equal(c.status, "ok", `${c.name}: ${c.detail}`);
  const anchored = expectJson<{ name: string; status: string }[]>(vigil(fresh(), "--json", "doctor"));
  assert.ok(
    anchored.every((c) => c.status === "ok" || (c.name === "disk" && c.status === "warn")),
    JSON.stringify(anchored),
  );
});
