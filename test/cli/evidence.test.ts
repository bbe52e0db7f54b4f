/** End-to-end: evidence add / get / inspect / exists / list / provenance / add-batch. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifactId,
  blobPath,
  expectError,
  expectJson,
  expectJsonLines,
  expectOk,
  journalSize,
  newLocker,
  run,
  useTempRoot,
  vigil,
  vigilWithInput,
  writeFile,
} from "./cli-helpers.js";

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
const listIds = (...filters: string[]) =>
  expectJson<Row[]>(vigil(data, "--json", "evidence", "list", ...filters)).map((r) => r.id);
const tmpFiles = () => readdirSync(join(data, "blobs", "tmp"));

test("add from a file with every metadata flag: id is sha256, path is domain/subdomain/name_YYYYMMDD.ext", () => {
  const p = expectJson<Outcome>(
    vigil(data, "--json", "evidence", "add", parent.path, "--domain", "security", "--subdomain", "access", "--date", "2024-03-01"),
  );
  assert.deepEqual(p, { id: artifactId(parent.bytes), status: "added", leafIndex: 0, path: "security/access/base_20240301.json", size: parent.bytes.length });

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

test("add from stdin (-) with --name; get returns the same bytes", () => {
  const bytes = Buffer.from("line one\nline two\u0000binary\u00ff\n");
  const o = expectJson<Outcome>(
    vigilWithInput(data, bytes, "--json", "evidence", "add", "-", "--domain", "ops", "--name", "from-stdin", "--date", "2024-01-02"),
  );
  assert.equal(o.id, artifactId(bytes));
  assert.equal(o.path, "ops/general/from-stdin_20240102.json");
  assert.equal(o.size, bytes.length);
  assert.deepEqual(expectOk(vigil(data, "evidence", "get", o.id)).stdoutBytes, bytes);
});

test("re-adding the same bytes and metadata is idempotent: status exists, journal unchanged", () => {
  const before = journalSize(data);
  const again = expectJson<Outcome>(vigil(data, "--json", "evidence", "add", child.path, ...childFlags));
  assert.equal(again.status, "exists");
  assert.equal(again.id, artifactId(child.bytes));
  assert.equal(again.leafIndex, 1);
  assert.equal(journalSize(data), before);
});

test("same bytes with different metadata is a conflict (exit 4); nothing is written", () => {
  const before = journalSize(data);
  const flags = childFlags.map((f) => (f === "2024-03-05" ? "2024-03-06" : f));
  expectError(vigil(data, "evidence", "add", child.path, ...flags), 4, /different metadata/);
  expectError(vigil(data, "evidence", "add", parent.path, "--domain", "security"), 4, /CONFLICT/);
  assert.equal(journalSize(data), before);
});

test("an unknown parent, a bad date, retention or label exit 5 and write nothing", () => {
  const before = journalSize(data);
  const f = input("orphan.json", '{"orphan":true}\n');
  const unknown = artifactId(randomBytes(16));
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--parent", unknown), 5, new RegExp(`parent ${unknown}`));
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--date", "2024-02-30"), 5, /date/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--date", "5 March"), 5, /date/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--retention", "forever"), 5, /retention/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "x", "--label", "Bad Key=v"), 5, /label/);
  expectError(vigil(data, "evidence", "add", f.path, "--domain", "Not A Slug"), 5, /domain/);
  assert.equal(journalSize(data), before);
  assert.equal(vigil(data, "evidence", "exists", artifactId(f.bytes)).status, 3);
});

test("a >64 KiB file is stored as a file blob; get to stdout and -o FILE return identical bytes", () => {
  const big = input("dump.bin", randomBytes(200 * 1024));
  const o = expectJson<Outcome>(vigil(data, "--json", "evidence", "add", big.path, "--domain", "ops", "--kind", "dump", "--date", "2024-06-01"));
  assert.equal(o.id, artifactId(big.bytes));
  assert.equal(o.path, "ops/general/dump_20240601.bin");
  assert.equal(o.size, 200 * 1024);
  assert.deepEqual(readFileSync(blobPath(data, o.id)), big.bytes, "file blob at blobs/sha256/aa/bb/<hex>");
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

test("a >64 KiB stream on stdin is stored as a file blob and read back identically", () => {
  const bytes = randomBytes(200 * 1024 + 7);
  const o = expectJson<Outcome>(
    vigilWithInput(data, bytes, "--json", "evidence", "add", "-", "--domain", "ops", "--name", "stream", "--date", "2024-06-02"),
  );
  assert.equal(o.id, artifactId(bytes));
  assert.deepEqual(readFileSync(blobPath(data, o.id)), bytes);
  assert.deepEqual(expectOk(vigil(data, "evidence", "get", o.id)).stdoutBytes, bytes);
  const again = expectJson<Outcome>(
    vigilWithInput(data, bytes, "--json", "evidence", "add", "-", "--domain", "ops", "--name", "stream", "--date", "2024-06-02"),
  );
  assert.equal(again.status, "exists");
  assert.deepEqual(tmpFiles(), [], "an idempotent re-add discards its staged copy");
});

test("exists exits 0 or 3; a malformed id exits 5; get of an unknown id exits 3", () => {
  const yes = expectJson<{ id: string; exists: boolean }>(vigil(data, "--json", "evidence", "exists", artifactId(parent.bytes)));
  assert.equal(yes.exists, true);
  const unknown = artifactId(Buffer.from("never added"));
  const no = vigil(data, "--json", "evidence", "exists", unknown.slice(7));
  assert.equal(no.status, 3);
  assert.deepEqual(JSON.parse(no.stdout), { id: unknown.slice(7), exists: false });
  expectError(vigil(data, "evidence", "exists", "sha256:xyz"), 5, /not a sha256 digest/);
  expectError(vigil(data, "evidence", "get", unknown), 3, /no artifact/);
});

test("add-batch from a JSONL file (paths relative to it); list filters by domain, kind, dates and labels", () => {
  const dir = join(root, "jsonl", "set");
  const files = ["a.json", "b.json", "c.txt", "d.json"].map((n) => ({ n, bytes: writeFile(join(dir, "files", n), `{"file":"${n}"}\n`) }));
  const lines = [
    { path: "files/a.json", domain: "metrics", name: "a", date: "2024-01-10", kind: "slo", labels: { env: "prod" } },
    { path: "files/b.json", domain: "metrics", name: "b", date: "2024-02-10", kind: "slo", labels: { env: "dev" } },
    { path: "files/c.txt", domain: "metrics", name: "c", date: "2024-03-10", kind: "latency", labels: { env: "prod", tier: "1" } },
    { path: "files/d.json", domain: "drills", name: "d", date: "2024-02-20", kind: "slo", retention: "incident" },
  ];
  writeFile(join(dir, "list.jsonl"), `${lines.map((l) => JSON.stringify(l)).join("\n")}\n\n`);
  // Run from another directory with a relative JSONL path: file paths resolve against the JSONL's directory.
  const acks = expectJsonLines<Outcome>(run(["--data", data, "--json", "evidence", "add-batch", join("set", "list.jsonl")], { cwd: join(root, "jsonl") }));
  const ids = files.map((f) => artifactId(f.bytes));
  assert.deepEqual(acks.map((a) => a.id), ids);
  assert.deepEqual(acks.map((a) => a.status), ["added", "added", "added", "added"]);
  assert.equal(acks[2]?.path, "metrics/general/c_20240310.txt");
  for (const a of acks) expectOk(vigil(data, "evidence", "exists", a.id));

  const [a, b, c, d] = ids;
  assert.deepEqual(listIds("--domain", "metrics"), [a, b, c]);
  assert.deepEqual(listIds("--kind", "slo"), [a, b, d]);
  assert.deepEqual(listIds("--domain", "metrics", "--kind", "slo"), [a, b]);
  assert.deepEqual(listIds("--from", "2024-02-10", "--to", "2024-02-29"), [b, d]);
  assert.deepEqual(listIds("--label", "env=prod"), [a, c]);
  assert.deepEqual(listIds("--label", "env=prod", "--label", "tier=1"), [c]);
  assert.deepEqual(listIds("--domain", "nothing-here"), []);
  assert.match(expectOk(vigil(data, "evidence", "list", "--domain", "nothing-here")).stdout, /no artifacts/);
});

test("provenance shows parents recursively", () => {
  const grand = input("grand.json", '{"derived":"pack"}\n');
  const stdinId = artifactId(Buffer.from("line one\nline two\u0000binary\u00ff\n"));
  const childId = artifactId(child.bytes);
  const g = expectJson<Outcome>(
    vigil(data, "--json", "evidence", "add", grand.path, "--domain", "assurance", "--parent", childId, "--parent", stdinId.slice(7)),
  );
  type Node = { id: string; path: string | null; producer: string | null; parents: Node[] };
  const tree = expectJson<{ root: Node; lines: string[] }>(vigil(data, "--json", "evidence", "provenance", g.id));
  assert.equal(tree.root.id, g.id);
  const parents = new Map(tree.root.parents.map((p) => [p.id, p]));
  assert.deepEqual([...parents.keys()].sort(), [childId, stdinId].sort());
  const c = parents.get(childId);
  assert.equal(c?.producer, "ci job 42");
  assert.deepEqual(c?.parents.map((p) => [p.id, p.path, p.parents.length]), [[artifactId(parent.bytes), "security/access/base_20240301.json", 0]]);
  const human = expectOk(vigil(data, "evidence", "provenance", g.id)).stdout.split("\n").filter((l) => l !== "");
  assert.equal(human.length, 4);
  assert.ok(human[0]?.startsWith(g.id));
  assert.ok(human.some((l) => /^ {4}└─ sha256:/.test(l) && l.includes(artifactId(parent.bytes))), human.join("\n"));
  expectError(vigil(data, "evidence", "provenance", artifactId(Buffer.from("none"))), 3);
});

test("add-batch from a directory adds every file (recursively); each acknowledged id exists", () => {
  const dir = join(root, "batchdir");
  const bytes = [writeFile(join(dir, "one.json"), "1\n"), writeFile(join(dir, "sub", "two.log"), "2\n"), writeFile(join(dir, "sub", "deeper", "three.json"), "3\n")];
  const acks = expectJsonLines<Outcome>(vigil(data, "--json", "evidence", "add-batch", dir, "--domain", "batch", "--date", "2024-07-01", "--kind", "log"));
  assert.deepEqual(acks.map((a) => a.status), ["added", "added", "added"]);
  assert.deepEqual(new Set(acks.map((a) => a.id)), new Set(bytes.map(artifactId)));
  assert.ok(acks.some((a) => a.path === "batch/general/two_20240701.log"), JSON.stringify(acks));
  assert.deepEqual(listIds("--domain", "batch", "--kind", "log").sort(), acks.map((a) => a.id).sort());
  const again = expectJsonLines<Outcome>(vigil(data, "--json", "evidence", "add-batch", dir, "--domain", "batch", "--date", "2024-07-01", "--kind", "log"));
  assert.deepEqual(again.map((a) => a.status), ["exists", "exists", "exists"]);
});

test("a JSONL with one malformed line, or one missing file, exits 5 and adds nothing", () => {
  const dir = join(root, "badjsonl");
  const ok = writeFile(join(dir, "ok.json"), '{"ok":1}\n');
  writeFile(join(dir, "malformed.jsonl"), `${JSON.stringify({ path: "ok.json", domain: "bad" })}\n{"path": "ok.json",\n`);
  writeFile(join(dir, "missing.jsonl"), `${JSON.stringify({ path: "ok.json", domain: "bad" })}\n${JSON.stringify({ path: "gone.json", domain: "bad" })}\n`);
  const before = journalSize(data);
  expectError(vigil(data, "evidence", "add-batch", join(dir, "malformed.jsonl")), 5, /malformed\.jsonl:2/);
  expectError(vigil(data, "evidence", "add-batch", join(dir, "missing.jsonl")), 5, /gone\.json/);
  assert.equal(journalSize(data), before);
  assert.equal(vigil(data, "evidence", "exists", artifactId(ok)).status, 3);
});
