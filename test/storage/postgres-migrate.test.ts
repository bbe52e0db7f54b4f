/**
 * `vigil migrate`: an embedded locker copied into PostgreSQL, end to end
 * through the CLI on a real SQLite source and a fresh real database per
 * test. The copy is checked here independently of the code under test:
 * records and anchors read straight out of both databases, roots recomputed
 * with the naive RFC 6962 definition. Then what must be refused, with
 * nothing written: a database that holds a locker, bad URLs and sources, a
 * rewritten source (naming the anchor it breaks); and a killed run, which
 * leaves no locker that opens and is started over by the next run.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import Database from "better-sqlite3";
import { openPostgresStores } from "../../src/app/postgres-stores.js";
import { migrate as runMigrate } from "../../src/migrate/migrate.js";
import { VigilError } from "../../src/errors.js";
import { addArtifacts, anchor, newLocker } from "../lifecycle/helpers.js";
import {
  artifactId,
  expectError,
  expectJson,
  expectOk,
  rfc6962Leaf,
  rfc6962Root,
  run,
  useTempRoot,
  vigil,
  vigilWithInput,
  type CliResult,
} from "../cli/cli-helpers.js";
import {
  adminQuery,
  createTestDatabase,
  pgUnreachable,
  withTestDatabase,
  type TestDatabase,
} from "./pg-test-db.js";

const unreachable = await pgUnreachable();
const skip = unreachable !== null && process.env.CI !== "true" ? unreachable : false;
const root = useTempRoot("migrate");
const CHILD = new URL("./pg-migrate-child.js", import.meta.url).pathname;

interface MigrateJson {
  lockerId: string;
  restarted: boolean;
  entries: number;
  contents: number;
  bytes: number;
  anchors: { checked: number; archivedDivergent: number };
  size: number;
  root: string | null;
  stateHash: string;
}

interface Anchor {
  seq: number;
  size: number;
  root: string;
}

function migrate(from: string, to: string, targetDir: string): CliResult {
  return run(["--json", "migrate", "--from", from, "--to", to, "--target-dir", targetDir]);
}

function add(data: string, body: string | Buffer, ...meta: string[]): string {
  expectOk(vigilWithInput(data, body, "evidence", "add", "-", "--domain", "mig", ...meta));
  return artifactId(Buffer.isBuffer(body) ? body : Buffer.from(body));
}

/**
 * Every file of a directory with its SHA-256, but the -shm index of a WAL
 * database and an empty -wal (which SQLite makes when it opens one read-only).
 */
function fingerprint(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, n.name);
      if (n.isDirectory()) walk(p);
      else if (!n.name.endsWith("-shm") && !(n.name.endsWith("-wal") && statSync(p).size === 0))
        out[relative(dir, p)] = createHash("sha256").update(readFileSync(p)).digest("hex");
    }
  };
  walk(dir);
  return out;
}

type Row = Record<string, unknown>;

function sqliteRows(data: string, sql: string): Row[] {
  const db = new Database(join(data, "vigil.db"), { readonly: true });
  try {
    return db.prepare(sql).all() as Row[];
  } finally {
    db.close();
  }
}

async function pgRows(db: TestDatabase, sql: string): Promise<Row[]> {
  return (await adminQuery(sql, [], db.url)).rows as Row[];
}

/** Every row of the tables a locker keeps in PostgreSQL, to show a refusal changed nothing. */
async function pgDump(db: TestDatabase): Promise<string> {
  const tables = ["meta", "entries", "nodes", "checkpoints", "blobs", "blob_files", "evidence", "tokens"];
  const parts: Row[][] = [];
  for (const t of tables) parts.push(await pgRows(db, `SELECT * FROM ${t} ORDER BY 1, 2`));
  return JSON.stringify(parts);
}

/** A small locker with two anchors (sizes 3 and 5), made in-process; returns its data directory. */
async function smallLocker(name: string): Promise<string> {
  const v = newLocker(root, name);
  try {
    await addArtifacts(v, 3, "a");
    await anchor(v);
    await addArtifacts(v, 2, "a");
    await anchor(v);
    return v.paths.dataDir;
  } finally {
    await v.close();
  }
}

async function withDatabase(fn: (db: TestDatabase) => Promise<void>): Promise<void> {
  assert.equal(unreachable, null, unreachable ?? "");
  await withTestDatabase(fn);
}

/** The database holds nothing of a locker: no rows, no claim, no unfinished mark. */
async function assertEmpty(db: TestDatabase): Promise<void> {
  for (const t of ["entries", "nodes", "checkpoints", "blobs", "blob_files", "evidence", "tokens"])
    assert.deepEqual(await pgRows(db, `SELECT count(*)::int AS n FROM ${t}`), [{ n: 0 }], `${t} is empty`);
  assert.deepEqual(await pgRows(db, "SELECT key FROM meta WHERE key <> 'schema_version'"), []);
}

void test(
  "postgres migrate: a locker with anchors, a key rotation, tenants, a token, a hold and an expiry, copied and proved",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const src = join(root, "source");
      expectOk(vigil(src, "init"));
      const kept = new Map<string, Buffer>();
      const keep = (body: Buffer, ...meta: string[]) => {
        const id = add(src, body, ...meta);
        kept.set(id, body);
        return id;
      };
      keep(Buffer.from('{"inline":true}\n'), "--name", "small");
      keep(Buffer.from(Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7) % 251)), "--name", "big");
      const old = add(src, "old operational\n", "--name", "old", "--date", "2019-01-01");
      const held = keep(Buffer.from("old but held\n"), "--name", "held", "--date", "2019-01-02");
      expectOk(vigil(src, "evidence", "hold", held, "--reason", "litigation 42"));
      const acme = Buffer.from("another tenant's\n");
      expectOk(
        vigilWithInput(
          src,
          acme,
          "--tenant",
          "acme",
          "evidence",
          "add",
          "-",
          "--domain",
          "mig",
          "--name",
          "t",
        ),
      );
      expectOk(vigil(src, "token", "create", "--role", "viewer", "--name", "reader"));
      expectOk(vigil(src, "anchor", "create"));
      const rotated = expectJson<{ from: string; to: string }>(vigil(src, "--json", "key", "rotate"));
      keep(Buffer.from("after the rotation\n"), "--name", "later");
      expectOk(vigil(src, "anchor", "create"));
      expectOk(vigil(src, "cleanup", "--apply-retention"));
      expectOk(vigil(src, "anchor", "create"));
      keep(Buffer.from("not anchored yet\n"), "--name", "tail");
      const anchors = expectJson<Anchor[]>(vigil(src, "--json", "anchor", "list"));
      assert.ok(anchors.length >= 4, "several anchors, one sealing the rotation");
      const srcStatus = expectJson<Record<string, unknown>>(vigil(src, "--json", "status"));
      const srcList = expectJson<unknown[]>(vigil(src, "--json", "evidence", "list"));
      const before = fingerprint(src);

      const target = join(root, "migrated");
      const r = expectJson<MigrateJson>(migrate(src, db.url, target));
      assert.deepEqual(fingerprint(src), before, "the source is not written");
      assert.equal(r.restarted, false);
      assert.equal(r.entries, srcStatus.journalSize);
      assert.equal(r.size, srcStatus.journalSize);
      assert.equal(r.anchors.checked, anchors.length);
      assert.equal(r.contents, kept.size + 1, "every artifact's contents but the expired one's");
      assert.equal(
        r.bytes,
        [...kept.values(), acme].reduce((n, b) => n + b.length, 0),
      );

      // Records byte for byte, and the roots recomputed here from PostgreSQL's bodies.
      const pgBodies = (await pgRows(db, "SELECT body FROM entries ORDER BY idx")).map(
        (x) => x.body as Buffer,
      );
      const liteBodies = sqliteRows(src, "SELECT body FROM entries ORDER BY idx").map(
        (x) => x.body as Buffer,
      );
      assert.deepEqual(pgBodies, liteBodies);
      const leaves = pgBodies.map((b) => rfc6962Leaf(b));
      for (const a of anchors)
        assert.equal(
          rfc6962Root(leaves.slice(0, a.size)).toString("base64"),
          a.root,
          `root at anchor ${a.seq}`,
        );
      assert.equal(rfc6962Root(leaves).toString("base64"), r.root);
      const cps = "FROM checkpoints ORDER BY seq";
      assert.deepEqual(
        await pgRows(db, `SELECT seq::int, size::int, root, note, created_at, segment::int ${cps}`),
        sqliteRows(src, `SELECT seq, size, root, note, created_at, segment ${cps}`),
        "anchors stored verbatim (signed notes byte-identical)",
      );

      // The migrated locker: same identity and keys, in PostgreSQL, and it behaves like the source.
      const cfg = (d: string) =>
        JSON.parse(readFileSync(join(d, "vigil.json"), "utf8")) as Record<string, unknown>;
      assert.deepEqual(cfg(target), { ...cfg(src), databaseUrl: db.url });
      assert.equal(existsSync(join(target, "vigil.db")), false);
      for (const k of ["signing.key", "signing.vkey"])
        assert.deepEqual(readFileSync(join(target, "keys", k)), readFileSync(join(src, "keys", k)), k);
      assert.equal(statSync(join(target, "keys", "signing.key")).mode & 0o777, 0o600);
      assert.equal(expectOk(vigil(target, "key", "show")).stdout.trim(), rotated.to);
      const tgtStatus = expectJson<Record<string, unknown>>(vigil(target, "--json", "status"));
      assert.deepEqual(tgtStatus, srcStatus);
      assert.deepEqual(expectJson<unknown[]>(vigil(target, "--json", "evidence", "list")), srcList);
      assert.deepEqual(
        expectJson(vigil(target, "--json", "token", "list")),
        expectJson(vigil(src, "--json", "token", "list")),
      );
      for (const [id, bytes] of kept)
        assert.deepEqual(expectOk(vigil(target, "evidence", "get", id)).stdoutBytes, bytes, id);
      assert.deepEqual(
        expectOk(vigil(target, "--tenant", "acme", "evidence", "get", artifactId(acme))).stdoutBytes,
        acme,
      );
      expectError(vigil(target, "evidence", "get", old), 3, /expired/);
      expectOk(vigil(target, "anchor", "verify", "--all"));
      const verify = expectJson<{ result: string; counts: { expired: number; anchors: number } }>(
        vigil(target, "--json", "verify", "--mode", "full"),
      );
      assert.equal(verify.result, "passed");
      assert.equal(verify.counts.expired, 1);
      // It takes writes and anchors like any PostgreSQL locker.
      add(target, "written after the migration\n", "--name", "after");
      expectOk(vigil(target, "anchor", "create"));
      expectOk(vigil(target, "anchor", "verify", "--all"));
    }),
);

void test(
  "postgres migrate: a database that holds a locker is refused and left exactly as it was",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const src = await smallLocker("refuse-source");
      const other = join(root, "refuse-other");
      expectOk(run(["--data", other, "init", "--database-url", db.url]));
      add(other, "the database's own\n", "--name", "own");
      expectOk(vigil(other, "anchor", "create"));
      const dump = await pgDump(db);
      const target = join(root, "refuse-target");
      expectError(migrate(src, db.url, target), 4, /LOCKER_EXISTS.*already holds the journal of locker lck_/);
      assert.equal(await pgDump(db), dump, "nothing written");
      assert.equal(existsSync(target), false);
      expectOk(vigil(other, "anchor", "verify", "--all"));
    }),
);

void test(
  "postgres migrate: bad URLs, sources and target directories are refused before anything is written",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const src = await smallLocker("bad-source");
      const target = join(root, "bad-target");
      const withPassword = new URL(db.url);
      withPassword.password = "s3cret";
      const pw = expectError(migrate(src, withPassword.toString(), target), 5, /--to: .*password/);
      assert.doesNotMatch(pw, /s3cret/);
      expectError(migrate(src, "mysql://root@127.0.0.1/x", target), 5, /--to: invalid databaseUrl/);
      expectError(migrate(src, "postgresql://root@127.0.0.1:1/nowhere", target), 6, /STORAGE_UNAVAILABLE/);
      expectError(migrate(join(root, "no-such-locker"), db.url, target), 3, /LOCKER_NOT_FOUND/);
      const onPg = join(root, "bad-pg-source");
      const pgDb = await createTestDatabase();
      try {
        expectOk(run(["--data", onPg, "init", "--database-url", pgDb.url]));
        expectError(migrate(onPg, db.url, target), 2, /UNSUPPORTED.*keeps its journal in PostgreSQL/);
      } finally {
        await pgDb.drop();
      }
      expectError(migrate(src, db.url, src), 4, /LOCKER_EXISTS/);
      const missing = expectError(run(["migrate", "--from", src, "--to", db.url]), 2);
      assert.match(missing, /--target-dir/);
      assert.equal(existsSync(target), false);
      assert.deepEqual(
        await pgRows(db, "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"),
        [],
        "the database was not touched, not even its schema",
      );
    }),
);

/** Rewrites entry `leaf`'s body in the source's SQLite file (the name's first letter), optionally its leaf hash too. */
function rewriteEntry(data: string, leaf: number, fixLeafHash: boolean): void {
  const sql = new Database(join(data, "vigil.db"));
  try {
    const { body } = sql.prepare("SELECT body FROM entries WHERE idx = ?").get(leaf) as { body: Buffer };
    const forged = Buffer.from(body.toString("utf8").replace('"name":"a', '"name":"b'));
    assert.notDeepEqual(forged, body);
    sql.prepare("UPDATE entries SET body = ? WHERE idx = ?").run(forged, leaf);
    if (fixLeafHash)
      sql.prepare("UPDATE entries SET leaf_hash = ? WHERE idx = ?").run(rfc6962Leaf(forged), leaf);
  } finally {
    sql.close();
  }
}

void test(
  "postgres migrate: a rewritten source fails the proof, naming the anchor it breaks; the database is emptied again",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const anchors = (d: string) => expectJson<Anchor[]>(vigil(d, "--json", "anchor", "list"));
      const src = await smallLocker("tampered");
      const [first, second] = anchors(src) as [Anchor, Anchor];
      assert.ok(first.size === 3 && second.size === 5);
      rewriteEntry(src, 3, true); // covered by the second anchor only
      const target = join(root, "tampered-target");
      const msg = expectError(migrate(src, db.url, target), 1, /INTEGRITY_FAILURE/);
      assert.match(
        msg,
        new RegExp(
          `anchor ${second.seq} \\(size ${second.size}\\): the copied journal does not hash to the anchor's signed root`,
        ),
      );
      assert.match(msg, /the target database was emptied again/);
      assert.equal(existsSync(target), false);
      await assertEmpty(db);

      const plain = await smallLocker("tampered-body");
      rewriteEntry(plain, 1, false); // the stored leaf hash now disagrees with the body
      expectError(
        migrate(plain, db.url, target),
        1,
        /source entry 1 hashes differently from its stored leaf hash/,
      );
      assert.equal(existsSync(target), false);
      await assertEmpty(db);
    }),
);

void test(
  "postgres migrate: a run killed mid-way leaves a database no locker opens, and the next run starts over",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const src = await smallLocker("killed");
      const target = join(root, "killed-target");
      const child = await promisify(execFile)(process.execPath, [CHILD, src, db.url, target, "proving"]).then(
        () => assert.fail("the child should have been killed"),
        (e: { signal?: string }) => e,
      );
      assert.equal(child.signal, "SIGKILL");
      assert.equal(existsSync(target), false, "no data directory before the proof");
      const lockerId = (JSON.parse(readFileSync(join(src, "vigil.json"), "utf8")) as { lockerId: string })
        .lockerId;
      const copied = await pgRows(db, "SELECT count(*)::int AS n FROM entries");
      assert.deepEqual(copied, [{ n: 5 }], "the records were copied before the kill");
      await assert.rejects(
        openPostgresStores(db.url, lockerId),
        (e: unknown) =>
          e instanceof VigilError && e.code === "CONFLICT" && /unfinished vigil migrate/.test(e.message),
      );
      expectError(
        run(["--data", join(root, "killed-init"), "init", "--database-url", db.url]),
        4,
        /LOCKER_EXISTS/,
      );
      const stranger = await smallLocker("killed-stranger");
      expectError(migrate(stranger, db.url, join(root, "killed-stranger-target")), 4, /unfinished migration/);
      const r = expectJson<MigrateJson>(migrate(src, db.url, target));
      assert.equal(r.restarted, true);
      assert.equal(r.entries, 5, "started over: every record copied again, once");
      const verify = expectJson<{ result: string }>(vigil(target, "--json", "verify", "--mode", "full"));
      assert.equal(verify.result, "passed");
    }),
);

void test(
  "postgres migrate: a live source is copied as of one snapshot; what it takes meanwhile is not copied",
  { skip },
  async () =>
    withDatabase(async (db) => {
      const src = await smallLocker("live");
      const size = expectJson<{ journalSize: number }>(vigil(src, "--json", "status")).journalSize;
      const target = join(root, "live-target");
      let wrote = false;
      const r = await runMigrate({
        from: src,
        to: db.url,
        targetDir: target,
        // A writer in another process, while the copy is under way (spawnSync: it commits before we go on).
        onProgress: (stage) => {
          if (stage !== "copying entries" || wrote) return;
          wrote = true;
          add(src, "written during the migration\n", "--name", "during");
        },
      });
      assert.equal(wrote, true);
      assert.equal(r.size, size, "the snapshot taken at the start");
      assert.equal(expectJson<{ journalSize: number }>(vigil(src, "--json", "status")).journalSize, size + 1);
      const status = expectJson<{ journalSize: number; artifacts: number }>(
        vigil(target, "--json", "status"),
      );
      assert.deepEqual([status.journalSize, status.artifacts], [size, size]);
      expectOk(vigil(target, "anchor", "verify", "--all"));
    }),
);
