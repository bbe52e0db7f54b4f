/** Offline verification: the trusted key, tampering with each kind of file, and --since-checkpoint. */
import assert from "node:assert/strict";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { formatCheckpoint, signNote } from "../../src/journal/index.js";
import type { PackFiles } from "../../src/packs/pack-files.js";
import { readPack } from "../../src/packs/read-pack.js";
import { verifyPack, type PackReport } from "../../src/packs/verify-pack.js";
import {
  buildFixture,
  exportTo,
  flipChar,
  gnuExtract,
  otherVerifierKey,
  readText,
  removeRoot,
  reseal,
  sh,
  verifyAt,
} from "./pack-fixtures.js";

const fx = await buildFixture("verify");
after(async () => {
  await fx.v.close();
  removeRoot(fx.root);
});
const key = fx.v.verifierKey;
const tarball = join(fx.root, "pack.tar.gz");
const dir = join(fx.root, "pack");
await exportTo(fx.v, { query: {} }, tarball);
await exportTo(fx.v, { query: {} }, dir);
const manifest = JSON.parse(readText(join(dir, "manifest.json"))) as {
  artifacts: { id: string; record: string; contents: string; proof: string }[];
};
const large = manifest.artifacts.find((a) => a.id === fx.ids.large);
assert.ok(large !== undefined);

let copies = 0;
function copy(): string {
  const d = join(fx.root, `copy-${copies++}`);
  cpSync(dir, d, { recursive: true });
  return d;
}

function named(r: PackReport, file: string, problem?: RegExp): void {
  assert.equal(r.ok, false);
  const hit = r.findings.filter((f) => f.file === file);
  assert.ok(hit.length > 0, `no finding names ${file}: ${JSON.stringify(r.findings)}`);
  if (problem !== undefined)
    assert.ok(
      hit.some((f) => problem.test(f.problem)),
      JSON.stringify(hit),
    );
}

void test("a pack verifies with the locker's key: .tar.gz, directory, and GNU-extracted directory", async () => {
  for (const input of [tarball, dir]) {
    const r = await verifyAt(input, key);
    assert.deepEqual([r.ok, r.findings, r.keyProblems], [true, [], []], input);
    assert.equal(r.artifacts, 5);
    assert.equal(r.files, 21);
  }
  const x = join(fx.root, "extracted");
  mkdirSync(x);
  gnuExtract(tarball, x);
  assert.equal((await verifyAt(x, key)).ok, true);
});

void test("a GNU-tar-made .tar.gz of an extracted pack (./ names, directory entries) also verifies", async () => {
  const repacked = join(fx.root, "gnu-repack.tar.gz");
  const r = sh("tar", ["-czf", repacked, "-C", dir, "."]);
  assert.equal(r.status, 0, r.out);
  assert.equal((await verifyAt(repacked, key)).ok, true);
});

void test("another key fails (exit-6 key problems), even when the pack's verifier.key is swapped to match it", async () => {
  const other = otherVerifierKey(fx.v.config.origin);
  const plain = await verifyAt(tarball, other);
  assert.equal(plain.ok, false);
  assert.ok(
    plain.keyProblems.some((p) => /checkpoint is not signed by the trusted key/.test(p)),
    plain.keyProblems.join(),
  );
  const swapped = copy();
  writeFileSync(join(swapped, "verifier.key"), `${other}\n`);
  reseal(swapped);
  const r = await verifyAt(swapped, other);
  assert.equal(r.ok, false);
  assert.deepEqual(r.findings, [], "SHA256SUMS was resealed: only the signature check can catch this");
  assert.deepEqual(r.keyProblems, [`checkpoint is not signed by the trusted key ${fx.v.config.origin}`]);
  const mine = await verifyAt(swapped, key);
  assert.deepEqual(mine.keyProblems, ["verifier.key in the pack is not the trusted key"]);
});

void test("a flipped byte in contents is named: by SHA256SUMS, and by the record's digest once resealed", async () => {
  const d = copy();
  flipChar(join(d, large.contents), 100);
  named(await verifyAt(d, key), large.contents, /SHA-256 does not match SHA256SUMS/);
  reseal(d);
  const r = await verifyAt(d, key);
  named(r, large.contents, /does not match the record's digest/);
  assert.ok(r.findings.every((f) => f.artifact === large.id));
});

void test("a flipped byte in a record is named (its leaf hash is not the one the checkpoint includes)", async () => {
  const d = copy();
  const path = join(d, large.record);
  flipChar(path, readFileSync(path).indexOf('"name":"') + 8);
  named(await verifyAt(d, key), large.record, /SHA256SUMS/);
  reseal(d);
  named(await verifyAt(d, key), large.record, /leaf hash is not the one the checkpoint includes/);
});

void test("a flipped byte in a proof is named (the proof does not verify against the checkpoint root)", async () => {
  const d = copy();
  const path = join(d, large.proof);
  flipChar(path, readFileSync(path).indexOf('"proof": [') + 16);
  reseal(d);
  named(await verifyAt(d, key), large.proof, /does not verify against the checkpoint root/);
});

void test("a flipped byte in the checkpoint is named (the trusted key's signature does not verify)", async () => {
  const d = copy();
  const path = join(d, "checkpoint");
  flipChar(path, readFileSync(path).indexOf("\n", readFileSync(path).indexOf("\n") + 1) + 3);
  reseal(d);
  named(await verifyAt(d, key), "checkpoint", /signature by the trusted key .* does not verify/);
});

void test("a flipped byte inside the tarball's contents is named too", async () => {
  const x = join(fx.root, "tar-edit");
  mkdirSync(x);
  gnuExtract(tarball, x);
  flipChar(join(x, large.contents), 7);
  const edited = join(fx.root, "edited.tar.gz");
  assert.equal(sh("tar", ["-czf", edited, "-C", x, "."]).status, 0);
  named(await verifyAt(edited, key), large.contents);
});

void test("--since-checkpoint: the first anchor is consistent with the pack's checkpoint", async () => {
  const r = await verifyAt(tarball, key, fx.firstAnchor);
  assert.equal(r.ok, true, JSON.stringify(r.findings));
  assert.deepEqual(r.since, { size: 2, consistent: true });
  const latest = readText(join(dir, "checkpoint"));
  assert.deepEqual((await verifyAt(dir, key, latest)).since, { size: r.checkpoint.size, consistent: true });
});

function signed(size: number, root: Buffer): string {
  return signNote(formatCheckpoint({ origin: fx.v.config.origin, size, root, rest: "" }), [fx.v.signer]);
}

void test("--since-checkpoint: forged, inconsistent, newer or unlinked checkpoints fail", async () => {
  const forged = fx.firstAnchor.replace(/\n2\n/, "\n1\n");
  const f = await verifyAt(dir, key, forged);
  named(f, "since.note", /signature by the trusted key .* does not verify/);
  const inconsistent = signed(2, Buffer.alloc(32, 7));
  named(await verifyAt(dir, key, inconsistent), "since.note", /not consistent/);
  named(
    await verifyAt(dir, key, signed(99, Buffer.alloc(32, 1))),
    "since.note",
    /newer than the pack's checkpoint/,
  );
  const root3 = (await fx.v.log.root(3)) as Buffer;
  named(await verifyAt(dir, key, signed(3, root3)), "since.note", /no consistency proof from size 3/);
  const other = otherVerifierKey(fx.v.config.origin);
  const r = await verifyAt(dir, other, fx.firstAnchor);
  assert.ok(r.keyProblems.some((p) => /since\.note is not signed by the trusted key/.test(p)));
  await assert.rejects(verifyAt(dir, key, "not a note"), /since\.note: not a signed checkpoint/);
});

void test("SHA256SUMS and manifest.json parsed while the pack is read give the answer parsing them afterwards gives", async () => {
  const lying = copy();
  const m = JSON.parse(readText(join(lying, "manifest.json"))) as { artifacts: { size: number }[] };
  (m.artifacts[0] as { size: number }).size += 1;
  writeFileSync(join(lying, "manifest.json"), JSON.stringify(m));
  const badSums = copy();
  writeFileSync(join(badSums, "SHA256SUMS"), "not a sums line\n");
  for (const input of [tarball, lying, badSums]) {
    const read = await readPack(input);
    // The same files in fresh buffers: nothing was parsed early for these.
    const fresh = new Map([...read].map(([n, f]) => [n, { ...f, bytes: f.bytes && Buffer.from(f.bytes) }]));
    const outcome = async (files: PackFiles) => {
      try {
        return await verifyPack(files, { where: input, trustedKey: key });
      } catch (e) {
        return (e as Error).message;
      }
    };
    const early = await outcome(read);
    assert.deepEqual(early, await outcome(fresh), input);
    assert.deepEqual(await outcome(read), early, "asked twice");
  }
  await assert.rejects(verifyAt(badSums, key), /SHA256SUMS line 1/);
  named(await verifyAt(lying, key), "manifest.json", /bytes, the record says/);
});
