/**
 * Packs whose manifest or SHA256SUMS lie, resealed the way an attacker would
 * (SHA256SUMS recomputed): each lie is an integrity failure naming the file
 * and the artifact.
 */
import assert from "node:assert/strict";
import { cpSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import type { PackReport } from "../../src/packs/verify-pack.js";
import {
  buildFixture,
  exportTo,
  readText,
  removeRoot,
  reseal,
  sha256hex,
  verifyAt,
} from "./pack-fixtures.js";
import { entriesOf, tarGz } from "./tar-craft.js";

const fx = await buildFixture("lies");
after(async () => {
  await fx.v.close();
  removeRoot(fx.root);
});
const key = fx.v.verifierKey;
const packDir = join(fx.root, "pack");
await exportTo(fx.v, { ids: [fx.ids.base as string, fx.ids.report as string] }, packDir);

interface Artifact {
  id: string;
  leafIndex: number;
  size: number;
  record: string;
  contents: string;
  proof: string;
}
interface Manifest {
  checkpoint: { seq: number; size: number; root: string };
  artifacts: Artifact[];
}

let copies = 0;
/** A copy of the pack with its manifest edited by `edit`, then resealed. */
function lying(edit: (m: Manifest, dir: string) => void): string {
  const dir = join(fx.root, `lie-${copies++}`);
  cpSync(packDir, dir, { recursive: true });
  const m = JSON.parse(readText(join(dir, "manifest.json"))) as Manifest;
  edit(m, dir);
  writeFileSync(join(dir, "manifest.json"), JSON.stringify(m, null, 2));
  reseal(dir);
  return dir;
}

function first(m: Manifest): Artifact {
  return m.artifacts[0] as Artifact;
}

function expect(r: PackReport, file: string, artifact: string | null, problem: RegExp): void {
  assert.equal(r.ok, false);
  const hit = r.findings.find((f) => f.file === file && f.artifact === artifact && problem.test(f.problem));
  assert.ok(
    hit,
    `expected ${file} ${artifact ?? ""} ${problem.source} in ${JSON.stringify(r.findings, null, 1)}`,
  );
}

void test("the honest pack passes (the lies below are the only change)", async () => {
  assert.equal((await verifyAt(packDir, key)).ok, true);
});

void test("a wrong leaf index is caught: paths off the layout, and a proof for another leaf", async () => {
  let id = "";
  const r = await verifyAt(
    lying((m) => ((id = first(m).id), (first(m).leafIndex += 2))),
    key,
  );
  expect(r, "manifest.json", id, /do not follow the pack layout/);
  expect(r, "proofs/0.json", id, /proves leaf 0, the manifest says 2/);
});

void test("a wrong leaf index with files renamed to match still fails the inclusion proof", async () => {
  let id = "";
  const dir = lying((m, d) => {
    const a = first(m);
    id = a.id;
    a.leafIndex = 9;
    renameSync(join(d, a.record), join(d, "records/9.json"));
    renameSync(join(d, a.proof), join(d, "proofs/9.json"));
    const sums = readText(join(d, "SHA256SUMS"))
      .replace(a.record, "records/9.json")
      .replace(a.proof, "proofs/9.json");
    writeFileSync(join(d, "SHA256SUMS"), sums);
    [a.record, a.proof] = ["records/9.json", "proofs/9.json"];
  });
  const r = await verifyAt(dir, key);
  expect(r, "proofs/9.json", id, /proves leaf 0, the manifest says 9/);
  expect(r, "proofs/9.json", id, /does not verify against the checkpoint root/);
});

void test("a wrong size is caught against the record", async () => {
  let id = "";
  const r = await verifyAt(
    lying((m) => ((id = first(m).id), (first(m).size += 1))),
    key,
  );
  expect(r, "manifest.json", id, /says \d+ bytes, the record says \d+/);
});

void test("a record of a different artifact is caught", async () => {
  let id = "";
  let other = "";
  const dir = lying((m, d) => {
    const [a, b] = m.artifacts as [Artifact, Artifact];
    [id, other] = [a.id, b.id];
    writeFileSync(join(d, a.record), readFileSync(join(d, b.record)));
  });
  const r = await verifyAt(dir, key);
  expect(
    r,
    first(JSON.parse(readText(join(dir, "manifest.json"))) as Manifest).record,
    id,
    new RegExp(`the record is for ${other}`),
  );
});

void test("an extra artifact whose files are not in SHA256SUMS is caught", async () => {
  const fake = `sha256:${sha256hex(Buffer.from("fake"))}`;
  const dir = lying((m, d) => {
    const extra = {
      ...first(m),
      id: fake,
      leafIndex: 42,
      record: "records/42.json",
      proof: "proofs/42.json",
    };
    extra.contents = `contents/${fake.slice(7)}`;
    m.artifacts.push(extra);
    writeFileSync(join(d, extra.contents), "fake");
    writeFileSync(join(d, extra.record), readFileSync(join(d, first(m).record)));
    writeFileSync(join(d, extra.proof), readFileSync(join(d, first(m).proof)));
  });
  const r = await verifyAt(dir, key);
  for (const f of ["records/42.json", "proofs/42.json", `contents/${fake.slice(7)}`])
    expect(r, f, fake, /not covered by SHA256SUMS/);
});

void test("a file listed in SHA256SUMS but in no artifact, a duplicate line and an unlisted file are caught", async () => {
  const dir = lying((_m, d) => {
    writeFileSync(join(d, "records/77.json"), "{}");
    const sums = readText(join(d, "SHA256SUMS"));
    const line = sums.split("\n").find((l) => l.endsWith("chain.json")) as string;
    const kept = sums
      .split("\n")
      .filter((l) => !l.endsWith("README.txt"))
      .join("\n");
    writeFileSync(join(d, "SHA256SUMS"), `${kept}${line}\n${"0".repeat(64)}  records/77.json\n`);
  });
  const r = await verifyAt(dir, key);
  expect(r, "records/77.json", null, /not part of any artifact/);
  expect(r, "SHA256SUMS", null, /lists chain.json more than once/);
  expect(r, "README.txt", null, /not covered by SHA256SUMS/);
});

void test("a manifest checkpoint that is not the signed one is caught", async () => {
  const r = await verifyAt(
    lying((m) => (m.checkpoint.size -= 1)),
    key,
  );
  expect(r, "manifest.json", null, /disagrees with the signed checkpoint/);
});

void test("an artifact listed twice is caught once, and checked once", async () => {
  let id = "";
  const r = await verifyAt(
    lying((m) => ((id = first(m).id), m.artifacts.push({ ...first(m) }))),
    key,
  );
  expect(r, "manifest.json", id, /lists leaf 0 or this artifact twice/);
  assert.equal(r.findings.length, 1, JSON.stringify(r.findings));
});

void test("SHA256SUMS is checked line by line whether its order is the archive's or not", async () => {
  const dir = join(fx.root, `order-${copies++}`);
  cpSync(packDir, dir, { recursive: true });
  const sums = readText(join(dir, "SHA256SUMS")).trim().split("\n");
  const names = ["SHA256SUMS", ...sums.map((l) => l.slice(66))].sort();
  const archive = (lines: readonly string[]) => {
    const path = join(fx.root, `order-${copies++}.tar.gz`);
    const files = new Map(names.map((n) => [n, readFileSync(join(dir, n))]));
    files.set("SHA256SUMS", Buffer.from(`${lines.join("\n")}\n`));
    writeFileSync(path, tarGz(entriesOf(files)));
    return path;
  };
  const victim = sums.findIndex((l) => l.includes("records/"));
  const wrong = sums.map((l, i) => (i === victim ? `${"0".repeat(64)}${l.slice(64)}` : l));
  const file = (sums[victim] as string).slice(66);
  for (const lines of [sums, [...sums].reverse()])
    assert.equal((await verifyAt(archive(lines), key)).ok, true);
  for (const lines of [wrong, [...wrong].reverse()]) {
    const r = await verifyAt(archive(lines), key);
    assert.equal(r.ok, false);
    assert.deepEqual(
      r.findings.map((f) => [f.file, f.problem]),
      [[file, "SHA-256 does not match SHA256SUMS"]],
    );
  }
});
