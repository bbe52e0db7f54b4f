/** Online backup, backup list/verify and restore into a fresh locker, against real lockers. */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { openLockerView, openVigil } from "../../src/app/vigil.js";
import { rfc6962Root } from "../cli/cli-helpers.js";
import { listBackups, resolveBackup } from "../../src/lifecycle/backup-catalog.js";
import { createBackup } from "../../src/lifecycle/backup-create.js";
import { blobFilePath } from "../../src/lifecycle/backup-manifest.js";
import { verifyBackup } from "../../src/lifecycle/backup-verify.js";
import { restoreBackup } from "../../src/lifecycle/restore-backup.js";
import {
  addArtifacts,
  anchor,
  BIN,
  json,
  newLocker,
  readAll,
  tempRoot,
  verifyFullPasses,
  vigil,
} from "./helpers.js";

void test("a backup holds the snapshot's database, its file blobs (hard links), config and verifier key", async () => {
  const root = tempRoot("bk");
  const v = newLocker(root);
  const added = await addArtifacts(v, 24, "a", 6);
  const a = await anchor(v);
  await addArtifacts(v, 3, "after-anchor");
  const { dir, manifest: m } = await createBackup(v);
  assert.equal(dir, join(v.paths.backups, m.id));
  assert.match(m.id, /^bkp_\d{8}T\d{6}Z_[0-9a-f]{8}$/);
  assert.deepEqual(m.anchor, { seq: a.seq, size: a.size, root: a.root.toString("base64"), segment: 1 });
  assert.equal(m.journalSize, 27);
  assert.equal(m.includesSigningKey, false);
  const paths = m.files.map((f) => f.path);
  for (const p of ["vigil.db", "vigil.json", "keys/signing.vkey"]) assert.ok(paths.includes(p), p);
  assert.ok(!paths.includes("keys/signing.key"));
  const files = added.filter((x) => x.file);
  assert.equal(files.length, 4);
  for (const f of files) {
    const p = blobFilePath(f.digest.toString("hex"));
    assert.ok(paths.includes(p), `file blob ${f.id} listed`);
    assert.equal(statSync(join(dir, p)).ino, statSync(v.blobs.files.pathOf(f.digest)).ino, "hard link");
  }
  const check = await verifyBackup(dir, v.verifierKey);
  assert.deepEqual(check.problems, []);
  assert.deepEqual(
    listBackups(v.paths.backups).backups.map((b) => b.id),
    [m.id],
  );
  await v.close();
});

void test("--include-signing-key copies the key with mode 0600; verify catches a changed file and a foreign key", async () => {
  const root = tempRoot("bk-key");
  const v = newLocker(root);
  await addArtifacts(v, 5, "k");
  await anchor(v);
  const { dir, manifest: m } = await createBackup(v, { dir: join(root, "out"), includeSigningKey: true });
  assert.ok(m.includesSigningKey);
  assert.equal(statSync(join(dir, "keys", "signing.key")).mode & 0o777, 0o600);
  assert.equal(
    readFileSync(join(dir, "keys", "signing.key"), "utf8"),
    readFileSync(v.paths.signingKey, "utf8"),
  );
  const other = newLocker(root, "other");
  const foreign = await verifyBackup(dir, other.verifierKey);
  assert.ok(
    foreign.problems.some((p) => /not the locker's verifier key/.test(p)),
    foreign.problems.join("; "),
  );
  const db = join(dir, "vigil.db");
  const bytes = readFileSync(db);
  bytes[bytes.length - 100] = (bytes[bytes.length - 100] ?? 0) ^ 0xff;
  writeFileSync(db, bytes);
  const bad = await verifyBackup(dir);
  assert.equal(bad.ok, false);
  assert.ok(
    bad.problems.some((p) => /vigil\.db does not match its SHA-256/.test(p)),
    bad.problems.join("; "),
  );
  await assert.rejects(restoreBackup(dir, join(root, "restored"), {}), /does not verify/);
  await v.close();
  await other.close();
});

void test("an incomplete backup (no manifest) is neither listed nor restorable", async () => {
  const root = tempRoot("bk-inc");
  const v = newLocker(root);
  await addArtifacts(v, 3, "i");
  const { manifest: done } = await createBackup(v);
  const partial = join(v.paths.backups, "bkp_20260101T000000Z_00000000");
  mkdirSync(partial);
  writeFileSync(join(partial, "vigil.db"), randomBytes(4096));
  const listing = listBackups(v.paths.backups);
  assert.deepEqual(
    listing.backups.map((b) => b.id),
    [done.id],
  );
  assert.deepEqual(listing.incomplete, ["bkp_20260101T000000Z_00000000"]);
  assert.throws(() => resolveBackup("bkp_20260101T000000Z_00000000", v.paths.backups), /incomplete/);
  await v.close();
});

void test("restore into a fresh directory gives a locker that passes full verification; a non-empty target is refused", async () => {
  const root = tempRoot("rs");
  const v = newLocker(root);
  const added = await addArtifacts(v, 40, "r", 8);
  await anchor(v);
  const { dir } = await createBackup(v);
  const busy = join(root, "busy");
  mkdirSync(busy);
  writeFileSync(join(busy, "x"), "x");
  await assert.rejects(restoreBackup(dir, busy, { locker: v.paths.dataDir }), /not empty/);
  await assert.rejects(restoreBackup(dir, join(root, "nokey"), {}), /holds no signing key/);
  const r = await restoreBackup(dir, join(root, "restored"), { locker: v.paths.dataDir });
  const t = openVigil(r.target);
  assert.equal(await t.log.size(), 40);
  assert.deepEqual(await t.log.root(), await v.log.root(40));
  for (const x of [added[0], added[7], added[39]])
    assert.deepEqual(await readAll(t, (x as { digest: Buffer }).digest), x?.data);
  await verifyFullPasses(t, "restored locker");
  const blob = added.find((x) => x.file) as { digest: Buffer };
  assert.notEqual(
    statSync(t.blobs.files.pathOf(blob.digest)).ino,
    statSync(join(dir, blobFilePath(blob.digest.toString("hex")))).ino,
  );
  await t.close();
  await v.close();
});

/** Runs `vigil evidence add-batch DIR` in another process; resolves when it exits. */
function writer(data: string, dir: string): { done: Promise<number | null>; running: () => boolean } {
  const child = spawn(
    process.execPath,
    [BIN, "--data", data, "--json", "evidence", "add-batch", dir, "--domain", "writer", "--batch-size", "50"],
    {
      stdio: ["ignore", "ignore", "pipe"],
    },
  );
  let exited = false;
  const done = new Promise<number | null>((resolve) =>
    child.on("close", (code) => ((exited = true), resolve(code))),
  );
  return { done, running: () => !exited };
}

void test(
  "a backup taken while another process keeps adding artifacts verifies, covers its anchor and restores",
  { timeout: 180_000 },
  async () => {
    const root = tempRoot("bk-live");
    const v = newLocker(root);
    await addArtifacts(v, 20, "base", 5);
    await anchor(v);
    const input = join(root, "in");
    mkdirSync(input);
    // Enough input that the writer (bulk ingest, ~30k artifacts/s) outlasts the backup.
    for (let i = 0; i < 20000; i++)
      writeFileSync(join(input, `s-${String(i).padStart(5, "0")}.bin`), randomBytes(900));
    for (let i = 0; i < 12; i++) writeFileSync(join(input, `l-${i}.bin`), randomBytes(100_000 + i));
    const w = writer(v.paths.dataDir, input);
    while ((await v.log.size()) < 600 && w.running()) await anchorSoon(v);
    const { dir, manifest: m } = await createBackup(v);
    const writingDuring = w.running();
    await anchorSoon(v);
    assert.equal(await w.done, 0, "the writer finished cleanly");
    const finalSize = await v.log.size();
    assert.ok(writingDuring, "the writer had already finished when the backup did: the test proved nothing");
    assert.ok(m.journalSize >= 600 && m.journalSize < finalSize, `snapshot ${m.journalSize} of ${finalSize}`);
    assert.ok(
      m.anchor !== null && m.anchor.size <= m.journalSize && m.anchor.seq >= 2,
      JSON.stringify(m.anchor),
    );
    assert.deepEqual((await verifyBackup(dir, v.verifierKey)).problems, []);
    const r = await restoreBackup(dir, join(root, "restored"), { locker: v.paths.dataDir });
    const t = openVigil(r.target);
    assert.equal(await t.log.size(), m.journalSize);
    await verifyFullPasses(t, "locker restored from a live backup");
    await t.close();
    await verifyFullPasses(v, "the live locker after the backup");
    await v.close();
  },
);

void test(
  "the online copy is one snapshot even in many small steps while another process writes",
  { timeout: 120_000 },
  async () => {
    const root = tempRoot("bk-steps");
    const v = newLocker(root);
    for (let g = 0; g < 8; g++) await addArtifacts(v, 1000, `base${g}`);
    const input = join(root, "in");
    mkdirSync(input);
    for (let i = 0; i < 5000; i++) writeFileSync(join(input, `s-${i}.bin`), randomBytes(700));
    const w = writer(v.paths.dataDir, input);
    while ((await v.log.size()) < 8300 && w.running()) await new Promise((r) => setTimeout(r, 10));
    const dest = join(root, "copy.db");
    // ~1,000 steps: without a pinned snapshot every commit of the writer would restart the copy.
    await v.lifecycle.backupTo(dest, 16 * 1024);
    assert.ok(w.running(), "the writer was still running when the copy finished: the test proved nothing");
    assert.equal(await w.done, 0);
    assert.ok(statSync(dest).size > 500 * 16 * 1024, "the copy took many steps");
    const copy = openLockerView(dest, v.paths.blobs);
    const n = await copy.log.size();
    assert.ok(n > 8000 && n < (await v.log.size()), `snapshot at ${n}`);
    const leaves = (await copy.log.readEntries(0, n)).map((e) => e.leafHash);
    assert.deepEqual(copy.lifecycle.rootAt(n), rfc6962Root(leaves), "stored nodes agree with the leaves");
    assert.equal(copy.log.storedNodeCount(), n - popcount(n), "no node from after the snapshot");
    let rows = 0;
    for await (const _ of copy.blobs.list()) rows++;
    assert.equal(rows, n, "one contents row per record, none from after the snapshot");
    await copy.close();
    await v.close();
  },
);

function popcount(n: number): number {
  let c = 0;
  for (let x = n; x > 0; x = Math.floor(x / 2)) c += x % 2;
  return c;
}

async function anchorSoon(v: Parameters<typeof anchor>[0]): Promise<void> {
  await anchor(v);
  await new Promise((r) => setTimeout(r, 40));
}

void test(
  "CLI: backup create, list, verify, restore --backup (with full verification)",
  { timeout: 120_000 },
  () => {
    const root = tempRoot("bk-cli");
    const data = join(root, "locker");
    json(vigil(data, "--json", "init"));
    const input = join(root, "in");
    mkdirSync(input);
    for (let i = 0; i < 30; i++)
      writeFileSync(join(input, `f${i}.bin`), randomBytes(i % 10 === 9 ? 90_000 : 500));
    assert.equal(vigil(data, "evidence", "add-batch", input, "--domain", "cli").status, 0);
    json(vigil(data, "--json", "anchor", "create"));
    const made = json<{ id: string; dir: string; anchor: { seq: number } }>(
      vigil(data, "--json", "backup", "create"),
    );
    assert.equal(made.anchor.seq, 1);
    const out = join(root, "elsewhere");
    const second = json<{ id: string; dir: string }>(
      vigil(data, "--json", "backup", "create", "-o", out, "--include-signing-key"),
    );
    assert.equal(second.dir, out);
    const list = json<{ id: string }[]>(vigil(data, "--json", "backup", "list"));
    assert.deepEqual(
      list.map((b) => b.id),
      [made.id],
    );
    assert.equal(json<{ ok: boolean }>(vigil(data, "--json", "backup", "verify", made.id)).ok, true);
    assert.equal(json<{ ok: boolean }>(vigil(data, "--json", "backup", "verify", out)).ok, true);
    const target = join(root, "restored");
    const r = json<{ target: string; verification: { result: string } }>(
      vigil(data, "--json", "restore", "--backup", made.id, "--target", target),
    );
    assert.equal(r.verification.result, "passed");
    assert.equal(
      json<{ result: string }>(vigil(target, "--json", "verify", "--mode", "full")).result,
      "passed",
    );
    const again = vigil(data, "restore", "--backup", made.id, "--target", target);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /not empty/);
    assert.equal(vigil(data, "restore").status, 2, "restore needs --backup or --to-anchor");
    // The runbook's spelling (DR-001) restores the same backup.
    const viaId = join(root, "restored-by-id");
    const byId = json<{ restored: string; verification: { result: string } }>(
      vigil(data, "--json", "restore", "--backup-id", made.id, "--target", viaId),
    );
    assert.deepEqual([byId.restored, byId.verification.result], [made.id, "passed"]);
    const both = vigil(data, "restore", "--backup", made.id, "--backup-id", "other", "--target", viaId);
    assert.equal(both.status, 2);
  },
);
