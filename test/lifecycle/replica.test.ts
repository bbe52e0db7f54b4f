/** Replicas: a follower copies anchored records and contents and refuses a source that rewrote history. */
import assert from "node:assert/strict";
import { copyFileSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { canonicalize, leafHash } from "../../src/journal/index.js";
import { openContentSource } from "../../src/app/content-source.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { expire } from "../../src/domains/evidence/lifecycle.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { createBackup } from "../../src/lifecycle/backup-create.js";
import { startNewChain } from "../../src/lifecycle/new-chain.js";
import { restoreBackup } from "../../src/lifecycle/restore-backup.js";
import { createAnchor } from "../../src/log/anchors.js";
import { LockerSource } from "../../src/replica/locker-source.js";
import { replicate } from "../../src/replica/replicate.js";
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

async function sync(from: string, to: string) {
  const source = new LockerSource(from);
  try {
    return await replicate(source, to, systemClock);
  } finally {
    await source.close();
  }
}

/** Follower and source agree on every anchor the follower holds: same rows, same roots. */
async function assertSameAnchors(src: Vigil, followerDir: string, expected: number): Promise<void> {
  const f = openVigil(followerDir);
  try {
    const theirs = await src.log.listCheckpoints();
    const mine = await f.log.listCheckpoints();
    assert.equal(mine.length, expected);
    for (const cp of mine) {
      const s = theirs.find((c) => c.seq === cp.seq);
      assert.deepEqual(cp, s, `anchor ${cp.seq} stored verbatim`);
      assert.deepEqual(await f.log.root(cp.size), cp.root, `follower root at anchor ${cp.seq}`);
      assert.deepEqual(await src.log.root(cp.size), cp.root, `source root at anchor ${cp.seq}`);
    }
    assert.equal(await f.log.size(), mine[mine.length - 1]?.size ?? 0, "only anchored records are copied");
  } finally {
    await f.close();
  }
}

async function assertContents(followerDir: string, items: readonly Added[]): Promise<void> {
  const f = openVigil(followerDir);
  const recover = await openContentSource(followerDir);
  try {
    for (const x of items) {
      assert.deepEqual(await readAll(f, x.digest), x.data, `${x.id} readable by digest`);
      const chunks: Buffer[] = [];
      for await (const c of await recover.open(x.digest)) chunks.push(c as Buffer);
      assert.deepEqual(Buffer.concat(chunks), x.data, `${x.id} readable by vigil recover's content source`);
    }
  } finally {
    await recover.close();
    await f.close();
  }
}

function snapshot(dir: string): string {
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d, { withFileTypes: true })) {
      if (n.isDirectory()) walk(join(d, n.name));
      else files.push(join(d, n.name));
    }
  };
  walk(join(dir, "blobs", "sha256"));
  return files.sort().join("\n");
}

void test("initial copy and incremental updates: records verbatim, anchors verbatim, contents by digest", async () => {
  const root = tempRoot("rep");
  const src = newLocker(root, "source");
  const first = await addArtifacts(src, 30, "a", 5);
  await anchor(src);
  first.push(...(await addArtifacts(src, 8, "b", 3)));
  await anchor(src);
  await addArtifacts(src, 4, "unanchored");
  const to = join(root, "follower");
  const r1 = await sync(src.paths.dataDir, to);
  assert.deepEqual([r1.created, r1.entries, r1.anchors, r1.size], [true, 38, 2, 38]);
  assert.equal(r1.contents, 38);
  await assertSameAnchors(src, to, 2);
  await assertContents(to, first);
  const config = JSON.parse(readFileSync(join(to, "vigil.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(config.replicaOf, { origin: src.config.origin, verifierKey: src.verifierKey });
  assert.equal(existsSync(join(to, "keys", "signing.key")), false, "a replica holds no signing key");
  const again = await sync(src.paths.dataDir, to);
  assert.deepEqual([again.created, again.entries, again.anchors], [false, 0, 0]);
  const more = await addArtifacts(src, 20, "c", 4);
  await anchor(src);
  await startNewChain(src, "segments are replicated too");
  await addArtifacts(src, 3, "d");
  await anchor(src);
  const r2 = await sync(src.paths.dataDir, to);
  assert.deepEqual([r2.created, r2.entries, r2.anchors], [false, 4 + 20 + 1 + 3, 3]);
  await assertSameAnchors(src, to, 5);
  await assertContents(to, [...first, ...more]);
  const f = openVigil(to);
  await verifyFullPasses(f, "follower");
  assert.equal(await f.log.size(), r2.size, "the follower stored no report of its own");
  const backup = await createBackup(f);
  assert.equal(backup.manifest.origin, src.config.origin);
  const restored = await restoreBackup(backup.dir, join(root, "restored-replica"), {});
  const g = openVigil(restored.target);
  assert.deepEqual(
    g.config.replicaOf,
    f.config.replicaOf,
    "a restored replica is still a replica, without a key",
  );
  await verifyFullPasses(g, "restored replica");
  await g.close();
  await f.close();
  await src.close();
});

void test("a replica refuses to add evidence, sign anchors or start a chain", async () => {
  const root = tempRoot("rep-ro");
  const src = newLocker(root, "source");
  await addArtifacts(src, 3, "a");
  await anchor(src);
  const to = join(root, "follower");
  await sync(src.paths.dataDir, to);
  const f = openVigil(to);
  const deps = { log: f.log, evidence: f.evidence, clock: f.clock, project: projectAll };
  const meta = parseEvidenceMeta(
    { domain: "x", name: "y", date: "2026-11-23" },
    "test",
    f.config.retentionClasses,
  );
  await assert.rejects(
    commitEvidence(deps, [{ contents: inlineContents(Buffer.from("x")), meta }]),
    /read-only replica/,
  );
  const ctx = { log: f.log, signer: f.signer, verifier: f.verifier, origin: f.config.origin, clock: f.clock };
  await assert.rejects(createAnchor(ctx, { segment: 1 }), /holds no signing key/);
  await assert.rejects(startNewChain(f, "no"), /read-only replica/);
  assert.equal(await f.log.size(), 3);
  await f.close();
  await src.close();
  const add = vigil(to, "evidence", "add", "--domain", "x", join(to, "vigil.json"));
  assert.equal(add.status, 4);
  assert.match(add.stderr, /read-only replica of/);
  assert.equal(vigil(to, "anchor", "create").status, 0, "already covered: nothing to sign");
});

/** A second locker with the same origin and key but a different history. */
async function impostor(root: string, src: Vigil): Promise<Vigil> {
  const other = newLocker(root, "impostor");
  await other.close();
  const dir = other.paths.dataDir;
  copyFileSync(src.paths.signingKey, join(dir, "keys", "signing.key"));
  copyFileSync(src.paths.verifierKey, join(dir, "keys", "signing.vkey"));
  const config = JSON.parse(readFileSync(join(dir, "vigil.json"), "utf8")) as Record<string, unknown>;
  writeFileSync(join(dir, "vigil.json"), JSON.stringify({ ...config, origin: src.config.origin }));
  return openVigil(dir);
}

void test("a source that rewrote its history is refused and the follower is left unchanged", async () => {
  const root = tempRoot("rep-fork");
  const src = newLocker(root, "source");
  await addArtifacts(src, 12, "a", 4);
  await anchor(src);
  const to = join(root, "follower");
  await sync(src.paths.dataDir, to);
  const fake = await impostor(root, src);
  await addArtifacts(fake, 20, "other", 5);
  await anchor(fake);
  await anchor(fake);
  const before = { files: snapshot(to), db: readFileSync(join(to, "vigil.db")) };
  await assert.rejects(sync(fake.paths.dataDir, to), (e: Error & { code?: string }) => {
    assert.equal(e.code, "PROOF_INVALID");
    assert.match(e.message, /rewrote its history/);
    return true;
  });
  assert.equal(snapshot(to), before.files);
  assert.deepEqual(readFileSync(join(to, "vigil.db")), before.db);
  await assertSameAnchors(src, to, 1);
  const cli = vigil(to, "replicate", "--from", fake.paths.dataDir, "--to", to);
  assert.equal(cli.status, 1);
  assert.match(cli.stderr, /^vigil: error \[PROOF_INVALID\]: .*rewrote its history.*\n$/);
  await fake.close();
  await src.close();
});

void test("entries that do not hash to the source's signed anchor are refused; new files are removed again", async () => {
  const root = tempRoot("rep-tamper");
  const src = newLocker(root, "source");
  await addArtifacts(src, 6, "a");
  await anchor(src);
  const to = join(root, "follower");
  await sync(src.paths.dataDir, to);
  await addArtifacts(src, 10, "b", 3);
  await anchor(src);
  const db = new Database(src.paths.database);
  const body = Buffer.from(canonicalize({ type: "evidence.note", v: 1, text: "forged" }));
  db.prepare("UPDATE entries SET body = ?, leaf_hash = ? WHERE idx = 9").run(body, leafHash(body));
  db.close();
  const before = { files: snapshot(to), db: readFileSync(join(to, "vigil.db")) };
  await assert.rejects(sync(src.paths.dataDir, to), /do not hash to its signed anchor 2/);
  assert.equal(snapshot(to), before.files, "blob files fetched before the refusal were removed");
  assert.deepEqual(readFileSync(join(to, "vigil.db")), before.db);
  const fresh = join(root, "fresh");
  await assert.rejects(sync(src.paths.dataDir, fresh), /do not hash/);
  assert.equal(existsSync(fresh), false, "a follower created by a refused first run is removed");
  await src.close();
});

void test("expired contents are dropped on the follower too; it still verifies", async () => {
  const root = tempRoot("rep-expire");
  const src = newLocker(root, "source");
  const added = await addArtifacts(src, 6, "a", 3);
  await anchor(src);
  const to = join(root, "follower");
  await sync(src.paths.dataDir, to);
  const gone = added[2] as Added;
  assert.ok(gone.file);
  const deps = { log: src.log, evidence: src.evidence, clock: src.clock, project: projectAll };
  const due = [
    {
      digest: gone.digest,
      leafIndex: gone.leaf,
      retention: "operational",
      date: "2020-01-01",
      size: gone.data.length,
    },
  ];
  for (const d of await expire(deps, due, async () => true)) rmSync(src.blobs.files.pathOf(d));
  await anchor(src);
  const r = await sync(src.paths.dataDir, to);
  assert.deepEqual([r.entries, r.unlinkedFiles], [1, 1]);
  const f = openVigil(to);
  assert.equal(existsSync(f.blobs.files.pathOf(gone.digest)), false);
  assert.equal(await f.blobs.stat(gone.digest), null);
  await verifyFullPasses(f, "follower after an expiry");
  await f.close();
  await src.close();
});

void test("CLI: replicate --from --to creates, then updates; a URL source is not supported yet", () => {
  const root = tempRoot("rep-cli");
  const src = join(root, "s");
  json(vigil(src, "--json", "init"));
  assert.equal(vigil(src, "verify").status, 0); // a report: one artifact
  json(vigil(src, "--json", "anchor", "create"));
  const to = join(root, "f");
  const r = json<{ created: boolean; entries: number; latest: { seq: number } }>(
    vigil(src, "--json", "replicate", "--from", src, "--to", to),
  );
  assert.deepEqual([r.created, r.entries, r.latest.seq], [true, 1, 1]);
  assert.equal(
    json<{ created: boolean }>(vigil(src, "--json", "replicate", "--from", src, "--to", to)).created,
    false,
  );
  assert.equal(json<{ result: string }>(vigil(to, "--json", "verify", "--mode", "full")).result, "passed");
  assert.equal(vigil(src, "replicate", "--from", "https://vigil.example", "--to", to).status, 2);
  assert.equal(
    vigil(src, "replicate", "--from", to, "--to", src).status,
    4,
    "a locker of its own is not a replica",
  );
});
