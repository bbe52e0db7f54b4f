/**
 * Hostile packs: each crafted archive or directory must fail with one clear
 * line (malformed: INPUT_INVALID, exit 5) and write nothing anywhere.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { gzipSync } from "node:zlib";
import { isVigilError } from "../../src/errors.js";
import { DEFAULT_LIMITS, type PackLimits } from "../../src/packs/pack-files.js";
import { buildFixture, exportTo, removeRoot, sh, snapshot, verifyAt } from "./pack-fixtures.js";
import { entriesOf, tarBytes, tarGz, type CraftEntry } from "./tar-craft.js";

const fx = await buildFixture("hostile");
after(async () => {
  await fx.v.close();
  removeRoot(fx.root);
});
const key = fx.v.verifierKey;
const packDir = join(fx.root, "pack");
await exportTo(fx.v, { ids: [fx.ids.report as string] }, packDir);
const work = join(fx.root, "work");
mkdirSync(work);

const files = new Map<string, Buffer>();
for (const line of snapshot(packDir))
  if (!line.endsWith(" dir"))
    files.set(line.split(" ")[0] as string, readFileSync(join(packDir, line.split(" ")[0] as string)));
const real = entriesOf(files);
const contentsName = [...files.keys()].find((p) => p.startsWith("contents/")) as string;
const tag = randomBytes(6).toString("hex");

let cases = 0;
async function refused(
  input: Buffer | string,
  pattern: RegExp,
  limits: PackLimits = DEFAULT_LIMITS,
): Promise<void> {
  let path = input as string;
  if (Buffer.isBuffer(input)) {
    path = join(work, `case-${cases++}.tar.gz`);
    writeFileSync(path, input);
  }
  const before = snapshot(fx.root);
  await assert.rejects(verifyAt(path, key, null, limits), (e: unknown) => {
    assert.ok(isVigilError(e), `not a VigilError: ${String(e)}`);
    assert.equal(e.code, "INPUT_INVALID", e.message);
    assert.match(e.message, pattern);
    assert.doesNotMatch(e.message, /\n/, "one line");
    return true;
  });
  assert.deepEqual(snapshot(fx.root), before, "nothing written");
}

const withEntry = (e: CraftEntry) => tarGz([...real, e]);

void test("the untouched crafted archive verifies (the cases below differ only by their hostile part)", async () => {
  assert.equal((await verifyAt(join(work, "..", "pack"), key)).ok, true);
  const ok = join(work, "baseline.tar.gz");
  writeFileSync(ok, tarGz(real));
  assert.equal((await verifyAt(ok, key)).ok, true);
});

void test("path traversal (../), also through a pax path, and absolute names are refused", async () => {
  const name = `vigil-hostile-${tag}`;
  await refused(withEntry({ path: `../${name}`, data: Buffer.from("x") }), /path traversal/);
  await refused(withEntry({ path: `records/../../${name}`, data: Buffer.from("x") }), /path traversal/);
  await refused(
    withEntry({ path: "records/9.json", pax: { path: `../${name}` }, data: Buffer.from("x") }),
    /path traversal/,
  );
  await refused(withEntry({ path: join(tmpdir(), name), data: Buffer.from("x") }), /absolute path/);
  for (const where of [join(work, ".."), join(fx.root, ".."), join(process.cwd(), ".."), tmpdir()])
    assert.equal(existsSync(join(where, name)), false, where);
});

void test("symlinks, hardlinks, devices and FIFOs are refused", async () => {
  await refused(
    withEntry({ path: "records/9.json", type: "SymbolicLink", linkpath: "/etc/passwd" }),
    /symlinks are not allowed/,
  );
  await refused(
    withEntry({ path: "records/9.json", type: "Link", linkpath: "manifest.json" }),
    /hardlinks are not allowed/,
  );
  await refused(
    withEntry({ path: "records/9.json", type: "CharacterDevice" }),
    /device entries are not allowed/,
  );
  await refused(withEntry({ path: "records/9.json", type: "BlockDevice" }), /device entries are not allowed/);
  await refused(withEntry({ path: "records/9.json", type: "FIFO" }), /fifo entries are not allowed/);
});

void test("duplicate member names are refused, however spelled", async () => {
  const manifest = files.get("manifest.json") as Buffer;
  await refused(
    withEntry({ path: "manifest.json", data: manifest }),
    /"manifest.json": duplicate member name/,
  );
  await refused(withEntry({ path: "./manifest.json", data: manifest }), /duplicate member name/);
});

void test("oversized members are refused from their declared size, before their data is read", async () => {
  await refused(
    withEntry({ path: `contents/${"a".repeat(64)}`, size: 2 ** 31 }),
    /exceeds the 1073741824-byte limit/,
  );
  await refused(withEntry({ path: "records/9.json", size: 2 * 2 ** 20 }), /exceeds the 1048576-byte limit/);
  const pax = { path: "records/9.json", pax: { comment: "x".repeat(70_000) }, data: Buffer.from("{}") };
  await refused(withEntry(pax), /ExtendedHeader header larger than 65536 bytes/);
  const small = { ...DEFAULT_LIMITS, maxTotalBytes: 64 * 1024 };
  await refused(
    withEntry({ path: `contents/${"b".repeat(64)}`, data: randomBytes(100_000) }),
    /members exceed the 65536-byte total limit/,
    small,
  );
});

void test("compression bombs are refused by the ratio cap, and by the total cap", async () => {
  const zeros = Buffer.alloc(40 << 20);
  await refused(
    withEntry({ path: `contents/${"c".repeat(64)}`, data: zeros }),
    /compression ratio exceeds 250:1/,
  );
  const capped = { ...DEFAULT_LIMITS, maxTotalBytes: 1 << 20, maxRatio: 1e9 };
  await refused(
    withEntry({ path: `contents/${"c".repeat(64)}`, data: Buffer.alloc(4 << 20) }),
    /total limit/,
    capped,
  );
  // Zeros after the end-of-archive marker: nothing declares them, the stream cap still applies.
  const tail = gzipSync(Buffer.concat([tarBytes(real), Buffer.alloc(4 << 20)]));
  await refused(tail, /uncompressed size exceeds 1048576 bytes/, capped);
});

void test("not gzip, nested gzip, a corrupt header, a truncated archive and data after the end are refused", async () => {
  await refused(tarBytes(real), /not a valid gzip stream/);
  await refused(gzipSync(tarGz(real)), /nested compression/);
  const broken = tarBytes(real);
  broken[0] = (broken[0] as number) ^ 0xff;
  await refused(gzipSync(broken), /not a valid tar archive/);
  const full = tarBytes(real);
  await refused(gzipSync(full.subarray(0, full.length - 1024 - 700)), /truncated|incomplete/);
  await refused(gzipSync(tarBytes(real, false)), /truncated archive: no end-of-archive marker/);
  await refused(
    gzipSync(Buffer.concat([tarBytes(real), Buffer.from("trailing garbage")])),
    /after the end-of-archive/,
  );
  await refused(Buffer.alloc(0), /not a valid gzip stream|not a valid tar archive/);
});

void test("unexpected names and unsupported entry types are refused", async () => {
  await refused(
    withEntry({ path: "run-me.sh", data: Buffer.from("#!/bin/sh\n") }),
    /not a file of the pack layout/,
  );
  await refused(
    withEntry({ path: "records/x.json", data: Buffer.from("{}") }),
    /not a file of the pack layout/,
  );
  await refused(withEntry({ path: "extra/", type: "Directory" }), /unexpected directory/);
  await refused(withEntry({ path: "records/9.json", type: "TapeVolumeHeader" }), /unsupported|not allowed/);
});

void test("a manifest that is not a vigil-evidence-pack v1, or a missing one, is malformed", async () => {
  const withManifest = (m: Buffer) =>
    tarGz(real.map((e) => (e.path === "manifest.json" ? { ...e, data: m } : e)));
  await refused(withManifest(Buffer.from("not json")), /manifest.json is not JSON/);
  const m = JSON.parse((files.get("manifest.json") as Buffer).toString()) as Record<string, unknown>;
  await refused(withManifest(Buffer.from(JSON.stringify({ ...m, v: 2 }))), /v must be 1/);
  await refused(withManifest(Buffer.from(JSON.stringify({ ...m, extra: 1 }))), /unknown field extra/);
  const many = { ...m, artifacts: new Array(100).fill((m.artifacts as unknown[])[0]) };
  await refused(
    withManifest(Buffer.from(JSON.stringify(many))),
    /lists more artifacts than the pack has files/,
  );
  await refused(tarGz(real.filter((e) => e.path !== "manifest.json")), /missing manifest.json/);
  await refused(tarGz(real.filter((e) => e.path !== "SHA256SUMS")), /missing SHA256SUMS/);
  const sums = Buffer.from(`${"0".repeat(64)} *manifest.json\n`);
  await refused(
    tarGz(real.map((e) => (e.path === "SHA256SUMS" ? { ...e, data: sums } : e))),
    /SHA256SUMS line 1/,
  );
});

function dirCopy(): string {
  const d = join(work, `dir-${cases++}`);
  cpSync(packDir, d, { recursive: true });
  return d;
}

void test("a directory pack with a symlink, a FIFO or a stray directory is refused without following or blocking", async () => {
  const link = dirCopy();
  symlinkSync("/etc/hostname", join(link, "records", "9.json"));
  await refused(link, /symlinks are not allowed/);
  const swapped = dirCopy();
  const target = join(swapped, contentsName);
  const saved = readFileSync(target);
  sh("rm", [target]);
  symlinkSync(join(packDir, contentsName), target);
  await refused(swapped, /symlinks are not allowed/);
  assert.ok(saved.length > 0);
  const fifo = dirCopy();
  assert.equal(sh("mkfifo", [join(fifo, "records", "9.json")]).status, 0);
  await refused(fifo, /fifo entries are not allowed/);
  const stray = dirCopy();
  mkdirSync(join(stray, "records", "sub"));
  await refused(stray, /unexpected directory/);
});
