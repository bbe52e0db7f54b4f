/** anchor new-chain: a new chain segment after a break; the old segment is kept and archived. */
import assert from "node:assert/strict";
import Database from "better-sqlite3";
import { test } from "node:test";
import { formatCheckpoint, signNote } from "../../src/journal/index.js";
import type { Vigil } from "../../src/app/vigil.js";
import { startNewChain } from "../../src/lifecycle/new-chain.js";
import { rollBackInPlace } from "../../src/lifecycle/point-in-time.js";
import { CHAIN_STARTED, verifyAnchors } from "../../src/log/anchors.js";
import { addArtifacts, anchor, newLocker, tempRoot, verifyFullPasses } from "./helpers.js";

const ctx = (v: Vigil) => ({ log: v.log, verifier: v.verifier, origin: v.config.origin });

/** A correctly signed checkpoint of this locker's own tree at `size`, stored as the next anchor. */
async function signedCheckpoint(v: Vigil, size: number, segment?: number) {
  const root = (await v.log.root(size)) as Buffer;
  const note = signNote(formatCheckpoint({ origin: v.config.origin, size, root, rest: "" }), [v.signer]);
  return v.log.addCheckpoint({ size, root, note, createdAt: v.clock.now().toISOString(), segment });
}

void test("after a rollback loses published anchors, new-chain records the break and starts segment 2", async () => {
  const v = newLocker(tempRoot("chain"));
  await addArtifacts(v, 10, "a");
  await anchor(v);
  await addArtifacts(v, 10, "b");
  const a2 = await anchor(v);
  await addArtifacts(v, 10, "c");
  await anchor(v);
  await rollBackInPlace(v, 2);
  await addArtifacts(v, 4, "d");
  const c = await startNewChain(v, "anchor 3 was published before the rollback to anchor 2");
  assert.equal(c.segment, 2);
  assert.equal(c.recordLeaf, 24);
  assert.deepEqual(c.previous, { seq: 2, size: 20, root: a2.root.toString("base64") });
  assert.deepEqual([c.anchor.seq, c.anchor.size, c.anchor.segment], [3, 25, 2]);
  const [entry] = await v.log.readEntries(24, 25);
  const record = JSON.parse(entry?.bytes.toString("utf8") ?? "") as Record<string, unknown>;
  assert.equal(record.type, CHAIN_STARTED);
  assert.equal(record.reason, "anchor 3 was published before the rollback to anchor 2");
  await addArtifacts(v, 2, "e");
  await anchor(v);
  const checks = await verifyAnchors(ctx(v), "all");
  assert.deepEqual(
    checks.map((k) => [k.seq, k.segment, k.archived, k.ok, k.link === null]),
    [
      [1, 1, true, true, true],
      [2, 1, true, true, false],
      [3, 2, false, true, true],
      [4, 2, false, true, false],
    ],
  );
  assert.deepEqual(
    checks.flatMap((k) => [...k.problems, ...k.archivedProblems]),
    [],
  );
  await verifyFullPasses(v, "after new-chain");
  await v.close();
});

void test("a checkpoint that does not link fails the chain until new-chain archives its segment", async () => {
  const v = newLocker(tempRoot("chain-break"));
  await addArtifacts(v, 10, "a");
  await anchor(v);
  await addArtifacts(v, 10, "b");
  await anchor(v);
  await signedCheckpoint(v, 15); // signed and true to the tree, but the chain goes backwards
  const broken = await verifyAnchors(ctx(v), "all");
  assert.equal(broken[2]?.ok, false);
  assert.match(broken[2]?.problems.join(";") ?? "", /went backwards/);
  const c = await startNewChain(v, "anchor 3 was signed from a stale tree size");
  assert.equal(c.segment, 2);
  const checks = await verifyAnchors(ctx(v), "all");
  assert.ok(
    checks.every((k) => k.ok),
    JSON.stringify(checks),
  );
  assert.deepEqual(
    checks.map((k) => k.archived),
    [true, true, true, false],
  );
  assert.match(
    checks[2]?.archivedProblems.join(";") ?? "",
    /went backwards/,
    "the archived break is still reported",
  );
  const latest = await verifyAnchors(ctx(v), "latest");
  assert.deepEqual(
    latest.map((k) => [k.seq, k.ok]),
    [[4, true]],
  );
  await verifyFullPasses(v, "after archiving the broken segment");
  await v.close();
});

void test("the first anchor of a new segment must cover its chain_started record; signatures count even when archived", async () => {
  const v = newLocker(tempRoot("chain-forged"));
  await addArtifacts(v, 6, "a");
  await anchor(v);
  await addArtifacts(v, 2, "b");
  await signedCheckpoint(v, 8, 2); // segment 2 without the record
  const checks = await verifyAnchors(ctx(v), "all");
  assert.equal(checks[1]?.ok, false);
  assert.match(checks[1]?.problems.join(";") ?? "", /covers no anchor\.chain_started record/);
  await v.close();
  const w = newLocker(tempRoot("chain-sig"));
  await addArtifacts(w, 4, "a");
  const first = await anchor(w);
  await startNewChain(w, "test");
  const db = new Database(w.paths.database);
  db.prepare("UPDATE checkpoints SET note = ? WHERE seq = ?").run(
    first.note.replace(/ [A-Za-z0-9+/=]+\n$/, " AAAA\n"),
    1,
  );
  db.close();
  const after = await verifyAnchors(ctx(w), "all");
  assert.equal(after[0]?.archived, true);
  assert.equal(after[0]?.ok, false, "a bad signature is never archived away");
  await w.close();
});

void test("new-chain refuses without anchors or without a reason", async () => {
  const v = newLocker(tempRoot("chain-refuse"));
  await addArtifacts(v, 2, "a");
  await assert.rejects(startNewChain(v, "x"), /no anchors yet/);
  await anchor(v);
  await assert.rejects(startNewChain(v, "   "), /--reason/);
  assert.equal(await v.log.size(), 2, "nothing was appended");
  await v.close();
});
