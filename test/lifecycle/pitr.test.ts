/** Point-in-time recovery: roll a locker back to exactly an anchor's tree. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { decodeStored, projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { rfc6962Root } from "../cli/cli-helpers.js";
import { listBackups } from "../../src/lifecycle/backup-catalog.js";
import { verifyBackup } from "../../src/lifecycle/backup-verify.js";
import { rollBackInPlace, rollBackInto } from "../../src/lifecycle/point-in-time.js";
import {
  addArtifacts,
  anchor,
  json,
  newLocker,
  readAll,
  tempRoot,
  verifyFullPasses,
  vigil,
  type Added,
} from "./helpers.js";

interface Scenario {
  readonly v: Vigil;
  readonly early: Added[];
  readonly late: Added[];
  readonly seq: number;
  readonly size: number;
  readonly root: Buffer;
}

/** Anchors 1 and 2, then later artifacts (with file blobs) and anchor 3 and an unanchored tail. */
async function scenario(name: string): Promise<Scenario> {
  const v = newLocker(tempRoot(name));
  const early = await addArtifacts(v, 50, "early", 7);
  await anchor(v);
  early.push(...(await addArtifacts(v, 13, "early2", 4)));
  const a2 = await anchor(v);
  const late = await addArtifacts(v, 70, "late", 6);
  await anchor(v);
  late.push(...(await addArtifacts(v, 5, "tail", 2)));
  return { v, early, late, seq: a2.seq, size: a2.size, root: a2.root };
}

async function leafHashes(v: Vigil): Promise<Buffer[]> {
  return (await v.log.readEntries(0, await v.log.size())).map((e) => e.leafHash);
}

async function assertRolledBack(t: Vigil, s: Scenario): Promise<void> {
  assert.equal(await t.log.size(), s.size);
  assert.deepEqual(await t.log.root(), s.root);
  assert.deepEqual(rfc6962Root(await leafHashes(t)), s.root, "root of the remaining leaves, independently");
  assert.equal(t.lifecycle.rootAt(s.size)?.equals(s.root), true);
  assert.deepEqual(
    (await t.log.listCheckpoints()).map((c) => c.seq),
    [1, 2],
  );
  for (const x of s.early) assert.deepEqual(await readAll(t, x.digest), x.data, `${x.id} kept`);
  for (const x of s.late) {
    assert.equal(await t.evidence.get(x.digest, "default"), null, `${x.id} gone from the index`);
    if (x.file) assert.equal(existsSync(t.blobs.files.pathOf(x.digest)), false, `${x.id} file unlinked`);
  }
  for (const x of s.early.filter((e) => e.file)) assert.ok(existsSync(t.blobs.files.pathOf(x.digest)));
  const status = await t.maintenance.status();
  assert.equal(status.lag, 0);
  await verifyFullPasses(t, "after rolling back");
}

void test("restore --to-anchor in place: exact tree of the anchor, later artifacts and files gone, automatic backup kept", async () => {
  const s = await scenario("pitr");
  const before = s.v.maintenance.stateHash();
  const r = await rollBackInPlace(s.v, s.seq);
  assert.equal(r.removedEntries, 75);
  assert.equal(r.removedAnchors, 1);
  assert.equal(r.unlinkedFiles, s.late.filter((x) => x.file).length);
  assert.deepEqual(r.contentsMissing, []);
  await assertRolledBack(s.v, s);
  assert.notEqual(s.v.maintenance.stateHash(), before);
  const replay = s.v.maintenance.rebuild(decodeStored, projectAll);
  assert.equal(replay.stateHash, s.v.maintenance.stateHash(), "the index is the replay of the kept journal");
  assert.ok(r.backup !== null);
  const listed = listBackups(s.v.paths.backups).backups;
  assert.deepEqual(
    listed.map((b) => b.id),
    [r.backup.id],
  );
  assert.equal(
    listed[0]?.journalSize,
    s.size + 75,
    "the automatic backup holds the state before the rollback",
  );
  assert.deepEqual((await verifyBackup(r.backup.dir, s.v.verifierKey)).problems, []);
  await s.v.close();
});

void test("restore --to-anchor --target leaves the locker alone and builds the rolled-back copy", async () => {
  const s = await scenario("pitr-target");
  const size = await s.v.log.size();
  const target = join(s.v.paths.dataDir, "..", "copy");
  const r = await rollBackInto(s.v, s.seq, target);
  assert.equal(r.backup, null);
  assert.equal(await s.v.log.size(), size, "source unchanged");
  assert.equal(listBackups(s.v.paths.backups).backups.length, 0);
  for (const x of s.late.filter((l) => l.file)) assert.ok(existsSync(s.v.blobs.files.pathOf(x.digest)));
  const t = openVigil(target);
  await assertRolledBack(t, s);
  const later = await addArtifacts(t, 3, "after");
  // +1: the verification report stored by assertRolledBack
  assert.equal(later[0]?.leaf, s.size + 1, "the copy keeps accepting evidence after the anchor's size");
  await anchor(t);
  await verifyFullPasses(t, "rolled-back copy after new writes");
  await t.close();
  await s.v.close();
});

void test("a rollback whose root check fails changes nothing", async () => {
  const s = await scenario("pitr-bad");
  const size = await s.v.log.size();
  const forged = { ...(await s.v.log.getCheckpoint(s.seq))!, root: Buffer.alloc(32, 7) };
  assert.throws(
    () => s.v.lifecycle.truncate(forged, () => void s.v.maintenance.rebuild(decodeStored, projectAll)),
    /does not match anchor/,
  );
  assert.equal(await s.v.log.size(), size);
  assert.equal((await s.v.log.listCheckpoints()).length, 3);
  await verifyFullPasses(s.v, "after a refused rollback");
  await assert.rejects(rollBackInPlace(s.v, 9), /no anchor 9/);
  await s.v.close();
});

void test("CLI: restore --to-anchor N prints the automatic backup, and verify --mode full passes", () => {
  const root = tempRoot("pitr-cli");
  const data = join(root, "l");
  json(vigil(data, "--json", "init"));
  for (let i = 0; i < 3; i++) assert.equal(vigilAdd(data, `a${i}`).status, 0);
  json(vigil(data, "--json", "anchor", "create"));
  for (let i = 0; i < 3; i++) assert.equal(vigilAdd(data, `b${i}`).status, 0);
  json(vigil(data, "--json", "anchor", "create"));
  const text = vigil(data, "restore", "--to-anchor", "1");
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /automatic backup bkp_\d{8}T\d{6}Z_[0-9a-f]{8}/);
  assert.match(text.stdout, /rolled back to anchor 1: size 3/);
  assert.equal(json<{ result: string }>(vigil(data, "--json", "verify", "--mode", "full")).result, "passed");
  assert.equal(
    json<{ journalSize: number }>(vigil(data, "--json", "status")).journalSize,
    4,
    "3 + the verify report",
  );
  assert.equal(vigil(data, "restore", "--to-anchor", "7").status, 3);
});

function vigilAdd(data: string, name: string) {
  const file = join(data, "..", `${name}.bin`);
  writeFileSync(file, randomBytes(300));
  return vigil(data, "evidence", "add", "--domain", "c", "--name", name, file);
}
