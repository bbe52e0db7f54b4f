/** End-to-end: evidence add / get / inspect / exists (add-batch, list and provenance: evidence-batch.test.ts). */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifactId,
  BACKEND,
  expectError,
  expectJson,
  expectOk,
  journalSize,
  newLocker,
  useTempRoot,
  vigil,
  vigilWithInput,
  writeFile,
} from "./cli-helpers.js";
import { readLargeContents } from "./locker-db.js";

interface Outcome {
  id: string;
  status: string;
  leafIndex: number | null;
  path: string;
  size: number;
}

interface Row extends Outcome {
  domain: string;
  subdomain: string;
  name: string;
  date: string;
  kind: string;
  retention: string;
  producer: string | null;
  labels: Record<string, string>;
  parents: string[];
  storage?: string;
}

const root = useTempRoot("evidence");
const data = newLocker(root);
const input = (name: string, contents: string | Buffer) => {
  const path = join(root, "in", name);
  return { path, bytes: writeFile(path, contents) };
};

const parent = input("base.json", '{"review":"base","accounts":42}\n');
const child = input("child-report.json", '{"review":"q1","revoked":3}\n');
const childFlags = [
  "--domain", "security", "--subdomain", "access", "--name", "quarterly-review", "--date", "2024-03-05",
  "--kind", "review", "--label", "team=sre", "--label", "quarter=q1", "--retention", "audit",
  "--producer", "ci job 42", "--parent", artifactId(parent.bytes),
]; // prettier-ignore
const tmpFiles = () => readdirSync(join(data, "blobs", "tmp"));

void test("add from a file with every metadata flag: id is sha256, path is domain/subdomain/name_YYYYMMDD.ext", () => {
  const p = expectJson<Outcome>(
    vigil(
      data,
      "--json",
      "evidence",
      "add",
      parent.path,
      "--domain",
      "security",
      "--subdomain",
      "access",
      "--date",
      "2024-03-01",
    ),
  );
  assert.deepEqual(p, {
    id: artifactId(parent.bytes),
    status: "added",
    leafIndex: 0,
    path: "security/access/base_20240301.json",
    size: parent.bytes.length,
  });

  const c = expectJson<Outcome>(vigil(data, "--json", "evidence", "add", child.path, ...childFlags));
  assert.equal(c.id, artifactId(child.bytes));
  assert.equal(c.status, "added");
  assert.equal(c.leafIndex, 1);
  assert.equal(c.path, "security/access/quarterly-review_20240305.json");

  const row = expectJson<Row>(vigil(data, "--json", "evidence", "inspect", c.id));
  assert.equal(row.id, c.id);
  assert.equal(row.leafIndex, 1);
  assert.equal(row.path, c.path);
  assert.deepEqual(
    [row.domain, row.subdomain, row.name, row.date, row.kind, row.retention, row.producer],
    ["security", "access", "quarterly-review", "2024-03-05", "review", "audit", "ci job 42"],
  );
  assert.deepEqual(row.labels, { quarter: "q1", team: "sre" });
  assert.deepEqual(row.parents, [p.id]);
  assert.equal(row.size, child.bytes.length);
  assert.equal(row.storage, "inline");
  assert.equal(journalSize(data), 2);
});

void test("add from stdin (-) with --name; get returns the same bytes", () => {
  const bytes = Buffer.from("line one\nline two\u0000binary\u00ff\n");
  const o = expectJson<Outcome>(
    vigilWithInput(
      data,
      bytes,
      "--json",
      "evidence",
      "add",
      "-",
      "--domain",
      "ops",
      "--name",
      "from-stdin",
      "--date",
      "2024-01-02",
    ),
  );
  assert.equal(o.id, artifactId(bytes));
  assert.equal(o.path, "ops/general/from-stdin_20240102.json");
  assert.equal(o.size, bytes.length);
  assert.deepEqual(expectOk(vigil(data, "evidence", "get", o.id)).stdoutBytes, bytes);
});

void test("re-adding the same bytes and metadata is idempotent: status exists, journal unchanged", () => {
  const before = journalSize(data);
  const again = expectJson<Outcome>(vigil(data, "--json", "evidence", "add", child.path, ...childFlags));
  assert.equal(again.status, "exists");
  assert.equal(again.id, artifactId(child.bytes));
  assert.equal(again.leafIndex, 1);
  assert.equal(journalSize(data), before);
});

void test("same bytes with different metadata is a conflict (exit 4); nothing is written", () => {
  const before = journalSize(data);
  const flags = childFlags.map((f) => (f === "2024-03-05" ? "2024-03-06" : f));
  expectError(vigil(data, "evidence", "add", child.path, ...flags), 4, /different metadata/);
  expectError(vigil(data, "evidence", "add", parent.path, "--domain", "security"), 4, /CONFLICT/);
  assert.equal(journalSize(data), before);
});

void test("an unknown parent, a bad date, retention or label exit 5 and write nothing", () => {
  const before = journalSize(data);
  const f = input("orphan.json", '{"orphan":true}\n');
  const unknown = artifactId(randomBytes(16));
  expectError(
    vigil(data, "evidence", "add", f.path, "--domain", "x", "--parent", unknown),
    5,
    new RegExp(`parent ${unknown}`),
  );
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--date", "2024-02-30"), 5, /date/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--date", "5 March"), 5, /date/);
  expectError(
    vigil(data, "evidence", "add", f.path, "--domain", "x", "--retention", "forever"),
    5,
    /retention/,
  );
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--label", "Bad Key=v"), 5, /label/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "Not A Slug"), 5, /domain/);
  assert.equal(journalSize(data), before);
  assert.equal(vigil(data, "evidence", "exists", artifactId(f.bytes)).status, 3);
});

void test("a >64 KiB file is stored as a file blob; get to stdout and -o FILE return identical bytes", () => {
  const big = input("dump.bin", randomBytes(200 * 1024));
  const o = expectJson<Outcome>(
    vigil(
      data,
      "--json",
      "evidence",
      "add",
      big.path,
      "--domain",
      "ops",
      "--kind",
      "dump",
      "--date",
      "2024-06-01",
    ),
  );
  assert.equal(o.id, artifactId(big.bytes));
  assert.equal(o.path, "ops/general/dump_20240601.bin");
  assert.equal(o.size, 200 * 1024);
  assert.deepEqual(
    readLargeContents(data, o.id),
    big.bytes,
    "file blob at blobs/sha256/aa/bb/<hex> or chunk rows",
  );
  assert.equal(expectJson<Row>(vigil(data, "--json", "evidence", "inspect", o.id)).storage, "file");

  assert.deepEqual(expectOk(vigil(data, "evidence", "get", o.id)).stdoutBytes, big.bytes);
  const outFile = join(root, "out", "dump.bin");
  mkdirSync(join(root, "out"), { recursive: true });
  assert.equal(expectOk(vigil(data, "evidence", "get", o.id, "-o", outFile)).stdout, "");
  assert.deepEqual(readFileSync(outFile), big.bytes);
  assert.deepEqual(readdirSync(join(root, "out")), ["dump.bin"], "no partial file left");

  const small = join(root, "out", "child.json");
  expectOk(vigil(data, "evidence", "get", artifactId(child.bytes), "-o", small));
  assert.deepEqual(readFileSync(small), child.bytes);
  assert.deepEqual(tmpFiles(), [], "no staged blobs left in blobs/tmp");
});

void test("get -o into a missing directory exits 3 and onto a directory exits 5 (a typed error, not internal 70)", () => {
  const id = artifactId(child.bytes);
  expectError(
    vigil(data, "evidence", "get", id, "-o", join(root, "no-such-dir", "x.json")),
    3,
    /no-such-dir/,
  );
  mkdirSync(join(root, "a-dir"), { recursive: true });
  expectError(vigil(data, "evidence", "get", id, "-o", join(root, "a-dir")), 5, /a-dir/);
  assert.deepEqual(
    readdirSync(root).filter((n) => n.endsWith(".vigil-part")),
    [],
    "no partial file left",
  );
});

void test("a >64 KiB stream on stdin is stored as a file blob and read back identically", () => {
  const bytes = randomBytes(200 * 1024 + 7);
  const addStream = () =>
    vigilWithInput(
      data,
      bytes,
      "--json",
      "evidence",
      "add",
      "-",
      "--domain",
      "ops",
      "--name",
      "stream",
      "--date",
      "2024-06-02",
    );
  const o = expectJson<Outcome>(addStream());
  assert.equal(o.id, artifactId(bytes));
  assert.deepEqual(readLargeContents(data, o.id), bytes);
  assert.deepEqual(expectOk(vigil(data, "evidence", "get", o.id)).stdoutBytes, bytes);
  const again = expectJson<Outcome>(addStream());
  assert.equal(again.status, "exists");
  assert.deepEqual(tmpFiles(), [], "an idempotent re-add discards its staged copy");
});

void test("exists exits 0 or 3; a malformed id exits 5; get of an unknown id exits 3", () => {
  const yes = expectJson<{ id: string; exists: boolean }>(
    vigil(data, "--json", "evidence", "exists", artifactId(parent.bytes)),
  );
  assert.equal(yes.exists, true);
  const unknown = artifactId(Buffer.from("never added"));
  const no = vigil(data, "--json", "evidence", "exists", unknown.slice(7));
  assert.equal(no.status, 3);
  assert.deepEqual(JSON.parse(no.stdout), { id: unknown.slice(7), exists: false });
  expectError(vigil(data, "evidence", "exists", "sha256:xyz"), 5, /not a sha256 digest/);
  expectError(vigil(data, "evidence", "get", unknown), 3, /no artifact/);
});

void test("storage stats counts artifacts and where their contents live", () => {
  type Stats = {
    artifacts: number;
    blobs: { inline: number; files: number; fileBytes: number };
    database: { engine: string; bytes: number };
    journalSize: number;
  };
  const s = expectJson<Stats>(vigil(data, "--json", "storage", "stats"));
  assert.equal(s.database.engine, BACKEND);
  assert.ok(s.database.bytes > 0);
  assert.equal(s.artifacts, s.journalSize);
  assert.equal(s.blobs.inline + s.blobs.files, s.artifacts);
  assert.equal(s.blobs.files, 2, "the two >64 KiB artifacts are file blobs");
  assert.equal(s.blobs.fileBytes, 200 * 1024 + 200 * 1024 + 7);
});

void test("--tenant: the same bytes in two tenants are two artifacts; one tenant cannot read or list the other's", () => {
  const shared = input("tenant-shared.json", '{"tenant":"test"}\n');
  const id = artifactId(shared.bytes);
  const add = (tenant: string, name: string) =>
    expectJson<Outcome>(
      vigil(
        data,
        "--json",
        "--tenant",
        tenant,
        "evidence",
        "add",
        shared.path,
        "--domain",
        "t",
        "--name",
        name,
      ),
    );
  const a = add("acme", "ours");
  assert.equal(a.status, "added");
  expectError(vigil(data, "--tenant", "globex", "evidence", "get", id), 3);
  assert.equal(vigil(data, "--tenant", "globex", "evidence", "exists", id).status, 3);
  const b = add("globex", "theirs");
  assert.equal(b.status, "added", "not 'exists' or 'conflict': that would tell globex what acme holds");
  assert.notEqual(b.leafIndex, a.leafIndex);
  const listed = expectJson<Row[]>(
    vigil(data, "--json", "--tenant", "acme", "evidence", "list", "--domain", "t"),
  );
  assert.deepEqual(
    listed.map((r) => r.name),
    ["ours"],
  );
  assert.deepEqual(
    expectOk(vigil(data, "--tenant", "globex", "evidence", "get", id)).stdout,
    shared.bytes.toString(),
  );
  expectError(vigil(data, "--tenant", "Not A Slug", "evidence", "list"), 5, /tenant must match/);
});
