/** End-to-end: evidence add-batch (directory and JSONL), list filters and provenance. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import {
  artifactId,
  expectError,
  expectJson,
  expectJsonLines,
  expectOk,
  journalSize,
  newLocker,
  run,
  useTempRoot,
  vigil,
  writeFile,
} from "./cli-helpers.js";

interface Outcome {
  id: string;
  status: string;
  leafIndex: number | null;
  path: string;
}

const root = useTempRoot("evidence-batch");
const data = newLocker(root);
const listIds = (...filters: string[]) =>
  expectJson<{ id: string }[]>(vigil(data, "--json", "evidence", "list", ...filters)).map((r) => r.id);
const jsonl = (lines: readonly object[]) => `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;

const setDir = join(root, "jsonl", "set");
const files = ["a.json", "b.json", "c.txt", "d.json"].map((n) =>
  writeFile(join(setDir, "files", n), `{"file":"${n}"}\n`),
);
const [idA, idB, idC, idD] = files.map(artifactId) as [string, string, string, string];

void test("add-batch from a JSONL file (paths relative to it); list filters by domain, kind, dates and labels", () => {
  const meta = (name: string, domain: string, date: string, kind: string) => ({ domain, name, date, kind });
  const lines = [
    { path: "files/a.json", ...meta("a", "metrics", "2024-01-10", "slo"), labels: { env: "prod" } },
    { path: "files/b.json", ...meta("b", "metrics", "2024-02-10", "slo"), labels: { env: "dev" } },
    {
      path: "files/c.txt",
      ...meta("c", "metrics", "2024-03-10", "latency"),
      labels: { env: "prod", tier: "1" },
    },
    { path: "files/d.json", ...meta("d", "drills", "2024-02-20", "slo"), retention: "incident" },
  ];
  writeFile(join(setDir, "list.jsonl"), `${jsonl(lines)}\n`);
  // A relative JSONL path from another directory: file paths resolve against the JSONL's own directory.
  const args = ["--data", data, "--json", "evidence", "add-batch", join("set", "list.jsonl")];
  const acks = expectJsonLines<Outcome>(run(args, { cwd: join(root, "jsonl") }));
  assert.deepEqual(
    acks.map((a) => [a.id, a.status, a.leafIndex]),
    [
      [idA, "added", 0],
      [idB, "added", 1],
      [idC, "added", 2],
      [idD, "added", 3],
    ],
  );
  assert.equal(acks[2]?.path, "metrics/general/c_20240310.txt");
  for (const a of acks) expectOk(vigil(data, "evidence", "exists", a.id));

  assert.deepEqual(listIds("--domain", "metrics"), [idA, idB, idC]);
  assert.deepEqual(listIds("--kind", "slo"), [idA, idB, idD]);
  assert.deepEqual(listIds("--domain", "metrics", "--kind", "slo"), [idA, idB]);
  assert.deepEqual(listIds("--from", "2024-02-10", "--to", "2024-02-29"), [idB, idD]);
  assert.deepEqual(listIds("--label", "env=prod"), [idA, idC]);
  assert.deepEqual(listIds("--label", "env=prod", "--label", "tier=1"), [idC]);
  assert.deepEqual(listIds("--domain", "nothing-here"), []);
  assert.match(expectOk(vigil(data, "evidence", "list", "--domain", "nothing-here")).stdout, /no artifacts/);
});

void test("provenance shows parents recursively", () => {
  const mid = writeFile(join(root, "prov", "mid.json"), '{"derived":"from a and c"}\n');
  const top = writeFile(join(root, "prov", "top.json"), '{"derived":"from mid"}\n');
  const addMid = [
    "evidence",
    "add",
    join(root, "prov", "mid.json"),
    "--domain",
    "assurance",
    "--producer",
    "pack builder",
  ];
  expectOk(vigil(data, ...addMid, "--parent", idC, "--parent", idA.slice(7)));
  const t = expectJson<Outcome>(
    vigil(
      data,
      "--json",
      "evidence",
      "add",
      join(root, "prov", "top.json"),
      "--domain",
      "assurance",
      "--parent",
      artifactId(mid),
    ),
  );
  assert.equal(t.id, artifactId(top));

  type Node = { id: string; path: string | null; producer: string | null; parents: Node[] };
  const tree = expectJson<{ root: Node; lines: string[] }>(
    vigil(data, "--json", "evidence", "provenance", t.id),
  );
  assert.equal(tree.root.id, t.id);
  assert.deepEqual(
    tree.root.parents.map((p) => [p.id, p.producer]),
    [[artifactId(mid), "pack builder"]],
  );
  const grandparents = tree.root.parents[0]?.parents ?? [];
  assert.deepEqual(grandparents.map((p) => p.id).sort(), [idA, idC].sort());
  assert.ok(grandparents.some((p) => p.path === "metrics/general/c_20240310.txt"));
  assert.ok(grandparents.every((p) => p.parents.length === 0));

  const human = expectOk(vigil(data, "evidence", "provenance", t.id))
    .stdout.trimEnd()
    .split("\n");
  assert.equal(human.length, 4, human.join("\n"));
  assert.ok(human[0]?.startsWith(t.id));
  assert.match(human[1] ?? "", new RegExp(`^  └─ ${artifactId(mid)} .*\\[pack builder\\]$`));
  assert.equal(human.filter((l) => l.startsWith("    └─ sha256:")).length, 2);
  expectError(vigil(data, "evidence", "provenance", artifactId(Buffer.from("none"))), 3, /no artifact/);
});

void test("add-batch from a directory adds every file (recursively); each acknowledged id exists", () => {
  const dir = join(root, "batchdir");
  const bytes = [
    writeFile(join(dir, "one.json"), "1\n"),
    writeFile(join(dir, "sub", "two.log"), "2\n"),
    writeFile(join(dir, "sub", "deeper", "three.json"), "3\n"),
  ];
  const args = [
    "--json",
    "evidence",
    "add-batch",
    dir,
    "--domain",
    "batch",
    "--date",
    "2024-07-01",
    "--kind",
    "log",
  ];
  const acks = expectJsonLines<Outcome>(vigil(data, ...args));
  assert.deepEqual(new Set(acks.map((a) => a.status)), new Set(["added"]));
  assert.deepEqual(new Set(acks.map((a) => a.id)), new Set(bytes.map(artifactId)));
  assert.ok(
    acks.some((a) => a.path === "batch/general/two_20240701.log"),
    JSON.stringify(acks),
  );
  for (const a of acks) expectOk(vigil(data, "evidence", "exists", a.id));
  assert.deepEqual(listIds("--domain", "batch", "--kind", "log").sort(), acks.map((a) => a.id).sort());
  const before = journalSize(data);
  const again = expectJsonLines<Outcome>(vigil(data, ...args));
  assert.deepEqual(new Set(again.map((a) => a.status)), new Set(["exists"]));
  assert.equal(journalSize(data), before);
});

void test("a JSONL with one malformed line, one missing file or one bad date exits 5 and adds nothing", () => {
  const dir = join(root, "badjsonl");
  const ok = writeFile(join(dir, "ok.json"), '{"ok":1}\n');
  const good = { path: "ok.json", domain: "bad" };
  writeFile(join(dir, "malformed.jsonl"), `${jsonl([good])}{"path": "ok.json",\n`);
  writeFile(join(dir, "missing.jsonl"), jsonl([good, { path: "gone.json", domain: "bad" }]));
  writeFile(join(dir, "baddate.jsonl"), jsonl([good, { ...good, name: "again", date: "2024-13-01" }]));
  const before = journalSize(data);
  expectError(vigil(data, "evidence", "add-batch", join(dir, "malformed.jsonl")), 5, /malformed\.jsonl:2/);
  expectError(vigil(data, "evidence", "add-batch", join(dir, "missing.jsonl")), 5, /gone\.json/);
  expectError(vigil(data, "evidence", "add-batch", join(dir, "baddate.jsonl")), 5, /baddate\.jsonl:2: date/);
  assert.equal(journalSize(data), before);
  assert.equal(vigil(data, "evidence", "exists", artifactId(ok)).status, 3);
});
