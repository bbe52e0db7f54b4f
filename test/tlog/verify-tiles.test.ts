/**
 * verifyTileDir against damaged copies of one exported 70000-entry log
 * (three tile levels, full and partial tiles: c2sp.org/tlog-tiles). Every
 * case asserts exactly which files are named, so a verifier that blames the
 * wrong side, or stops naming the file, fails.
 */
import { after, before, test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { cp, mkdtemp, readFile, rm, symlink, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ed25519Signer, ed25519Verifier, formatCheckpoint, signNote } from "../../src/journal/index.js";
import { exportTiles } from "../../src/tlog/export-tiles.js";
import { verifyTileDir, type TileVerifyResult } from "../../src/tlog/verify-tiles.js";
import { entryBytes, memoryLog, ORIGIN, SIGNER, VERIFIER } from "./memory-log.js";
import { flipByte, tempDir } from "./tile-fs.js";

const SIZE = 70000;
let pristine = "";
/** A copy of `pristine` that tests damage; each test's damage is undone when it ends. */
let work = "";

before(async () => {
  pristine = await mkdtemp(join(tmpdir(), "vigil-tiles-pristine-"));
  await exportTiles(memoryLog(Array.from({ length: SIZE }, (_, i) => entryBytes(i))), pristine);
  work = await mkdtemp(join(tmpdir(), "vigil-tiles-work-"));
  await cp(pristine, work, { recursive: true });
});
after(() => Promise.all([pristine, work].map((d) => rm(d, { recursive: true, force: true }))));

/** Damage one file of the working copy for the rest of this test; returns the copy's path. */
async function damage(t: TestContext, file: string, how: (path: string) => Promise<void>): Promise<string> {
  const path = join(work, file);
  const original = await readFile(path);
  t.after(async () => {
    await rm(path, { force: true });
    await writeFile(path, original);
  });
  await how(path);
  return work;
}

function named(r: TileVerifyResult): string[] {
  return r.problems.map((p) => p.path);
}

void test("the pristine export verifies, with the origin checked too", async () => {
  const r = await verifyTileDir(pristine, VERIFIER, ORIGIN);
  assert.equal(r.ok, true);
  assert.equal(r.firstBad, undefined);
  assert.deepEqual([r.size, r.bundlesChecked, r.tilesChecked], [SIZE, 274, 274 + 2 + 1]);
});

void test("a verifier for another key fails, naming checkpoint", async () => {
  const other = ed25519Signer(ORIGIN, Buffer.alloc(32, 8));
  const r = await verifyTileDir(pristine, ed25519Verifier(other.name, other.publicKey));
  assert.equal(r.ok, false);
  assert.deepEqual(named(r), ["checkpoint"]);
  assert.match(r.firstBad?.problem ?? "", /no verifiable signatures/);
  assert.deepEqual([r.size, r.root, r.tilesChecked, r.bundlesChecked], [0, "", 0, 0]);
});

void test("an edited checkpoint body fails its signature, naming checkpoint", async (t) => {
  const dir = await damage(t, "checkpoint", async (p) => {
    const note = await readFile(p, "utf8");
    await writeFile(p, note.replace(`\n${SIZE}\n`, `\n${SIZE - 1}\n`));
  });
  const r = await verifyTileDir(dir, VERIFIER);
  assert.deepEqual(named(r), ["checkpoint"]);
  assert.match(r.firstBad?.problem ?? "", /invalid signature/);
});

void test("a wrong origin fails naming checkpoint", async () => {
  const r = await verifyTileDir(pristine, VERIFIER, "example.com/other");
  assert.deepEqual(named(r), ["checkpoint"]);
  assert.match(r.firstBad?.problem ?? "", /origin/);
});

void test("a validly signed checkpoint over another root is blamed, not the tiles", async (t) => {
  const body = formatCheckpoint({ origin: ORIGIN, size: SIZE, root: Buffer.alloc(32, 1), rest: "" });
  const dir = await damage(t, "checkpoint", (p) => writeFile(p, signNote(body, [SIGNER])));
  const r = await verifyTileDir(dir, VERIFIER);
  assert.deepEqual(named(r), ["checkpoint"]);
  assert.match(r.firstBad?.problem ?? "", /reproduced by neither/);
});

const flips: { file: string; offset: number; problem: RegExp }[] = [
  { file: "tile/0/100", offset: 4000, problem: /disagrees with tile\/entries\/100/ },
  { file: "tile/0/273.p/112", offset: -1, problem: /disagrees with tile\/entries\/273\.p\/112/ },
  { file: "tile/1/000", offset: 31, problem: /level-0 tiles below/ },
  { file: "tile/1/001.p/17", offset: 0, problem: /level-0 tiles below/ },
  { file: "tile/2/000.p/1", offset: 5, problem: /level-1 tiles below/ },
  // Bundle 5 starts with entry 1280: a 2-byte length then its text; byte 4 is inside the text.
  { file: "tile/entries/005", offset: 4, problem: /disagrees with tile\/0\/005, which reproduces the root/ },
  { file: "tile/entries/273.p/112", offset: -1, problem: /disagrees with tile\/0\/273\.p\/112/ },
  // The high byte of the first length prefix: the bundle no longer parses as 256 entries.
  { file: "tile/entries/007", offset: 0, problem: /ends inside|holds \d+ entries/ },
];

for (const { file, offset, problem } of flips) {
  void test(`one flipped byte in ${file} fails naming exactly that file`, async (t) => {
    const dir = await damage(t, file, (p) => flipByte(p, offset));
    const r = await verifyTileDir(dir, VERIFIER);
    assert.equal(r.ok, false);
    assert.deepEqual(named(r), [file]);
    assert.match(r.firstBad?.problem ?? "", problem);
  });
}

for (const file of ["checkpoint", "tile/0/003", "tile/entries/007", "tile/1/001.p/17", "tile/2/000.p/1"]) {
  void test(`a deleted ${file} fails naming it as missing`, async (t) => {
    const dir = await damage(t, file, unlink);
    const r = await verifyTileDir(dir, VERIFIER);
    assert.deepEqual(r.firstBad, { path: file, problem: "missing" });
    assert.deepEqual(named(r), [file]);
  });
}

const reshaped: [string, string, (p: string) => Promise<void>, RegExp][] = [
  [
    "tile/entries/010",
    "+1 byte",
    (p) => writeFile(p, Buffer.of(0), { flag: "a" }),
    /ends inside a length prefix/,
  ],
  [
    "tile/entries/011",
    "+1 empty entry",
    (p) => writeFile(p, Buffer.of(0, 0), { flag: "a" }),
    /holds 257 entries/,
  ],
  ["tile/entries/012", "cut to 100 bytes", (p) => truncate(p, 100), /ends inside an entry/],
  ["tile/0/013", "+1 byte", (p) => writeFile(p, Buffer.of(0), { flag: "a" }), /more than the 8192 allowed/],
  ["tile/0/273.p/112", "-1 hash", (p) => truncate(p, 32 * 111), /expected 3584 \(112 hashes\)/],
];

for (const [file, change, how, problem] of reshaped) {
  void test(`${file} ${change} fails naming it`, async (t) => {
    const r = await verifyTileDir(await damage(t, file, how), VERIFIER);
    assert.deepEqual(named(r), [file]);
    assert.match(r.firstBad?.problem ?? "", problem);
  });
}

void test("a symlink leaving the directory is refused even when its target is the right tile", async (t) => {
  const outside = join(await tempDir(t), "000");
  await cp(join(pristine, "tile/0/000"), outside);
  const dir = await damage(t, "tile/0/000", async (p) => {
    await unlink(p);
    await symlink(outside, p);
  });
  const r = await verifyTileDir(dir, VERIFIER);
  assert.deepEqual(named(r), ["tile/0/000"]);
  assert.match(r.firstBad?.problem ?? "", /outside the directory/);
});

void test("a symlink that stays inside the directory is followed", async (t) => {
  const dir = await damage(t, "tile/0/000", async (p) => {
    await cp(p, join(work, "tile/0/copy-of-000"));
    await unlink(p);
    await symlink("copy-of-000", p);
  });
  t.after(() => rm(join(work, "tile/0/copy-of-000")));
  assert.equal((await verifyTileDir(dir, VERIFIER)).ok, true);
});

void test("a bundle and its tile damaged differently: both named, then the root note", async (t) => {
  await damage(t, "tile/entries/020", (p) => flipByte(p, 4));
  const dir = await damage(t, "tile/0/020", (p) => flipByte(p, 0));
  const r = await verifyTileDir(dir, VERIFIER);
  assert.deepEqual(named(r), ["tile/entries/020", "tile/0/020", "checkpoint"]);
  assert.match(r.problems[2]?.problem ?? "", /reproduced by neither/);
});

void test("problems are listed in tree order whatever the discovery order", async (t) => {
  for (const f of ["tile/2/000.p/1", "tile/0/200", "tile/0/010"]) await damage(t, f, (p) => flipByte(p, 0));
  const r = await verifyTileDir(work, VERIFIER);
  assert.deepEqual(named(r), ["tile/0/010", "tile/0/200", "tile/2/000.p/1"]);
});

void test("a missing directory is a result naming checkpoint, not an exception", async (t) => {
  const r = await verifyTileDir(join(await tempDir(t), "nope"), VERIFIER);
  assert.deepEqual(r.firstBad, { path: "checkpoint", problem: "missing" });
});

void test("a wrecked directory stops after 100 problems", async (t) => {
  const dir = await tempDir(t);
  await cp(pristine, dir, { recursive: true });
  await rm(join(dir, "tile/entries"), { recursive: true });
  const r = await verifyTileDir(dir, VERIFIER);
  assert.equal(r.problems.length, 101);
  assert.deepEqual(r.problems.at(-1), { path: ".", problem: "stopped checking after 100 problems" });
  assert.deepEqual(r.firstBad, { path: "tile/entries/000", problem: "missing" });
});

void test("every test's damage was undone: the working copy verifies again", async () => {
  assert.equal((await verifyTileDir(work, VERIFIER)).ok, true);
});
