/**
 * `vigil key rotate` end to end: new anchors are signed by the new key, the
 * rotation is a journal record signed by both keys and sealed by the old
 * key's last anchor, and every anchor before it keeps verifying. Then what
 * must fail: the old key signing a new anchor, a tampered rotation record,
 * rotating under a running server; and a crashed rotation resumes.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { projectAll } from "../../src/app/projection.js";
import { openLocker } from "../../src/app/open-locker.js";
import { SERVER_STARTED } from "../../src/domains/access/access-record.js";
import {
  ed25519Signer,
  encodeRecord,
  formatSignerKey,
  formatVerifierKey,
  keyRotated,
  rotationText,
  signNote,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  type JournalRecord,
} from "../../src/journal/index.js";
import { createAnchor } from "../../src/log/anchors.js";
import {
  copyLocker,
  embeddedTest,
  expectError,
  expectJson,
  expectOk,
  newLocker,
  useTempRoot,
  vigil,
  writeFile,
} from "./cli-helpers.js";

interface Check {
  seq: number;
  size: number;
  ok: boolean;
  problems: string[];
}
interface Rotation {
  from: string;
  to: string;
  recordLeaf: number;
  sealedBy: number;
  resumed: boolean;
}

const root = useTempRoot("key-rotate");
const REPLICAS = "replicas follow embedded lockers only";

function addOne(data: string, tag: string): void {
  const f = join(root, `${tag}-${Math.random().toString(36).slice(2)}.json`);
  writeFile(f, `{"tag":"${tag}","r":${Math.random()}}\n`);
  expectOk(vigil(data, "evidence", "add", f, "--domain", "keys", "--name", tag));
}

/** A locker with two anchors by its first key; returns the key texts too. */
function lockerWithAnchors(name: string): { data: string; oldKey: string; oldVkey: string } {
  const data = newLocker(root, name);
  addOne(data, "a");
  expectOk(vigil(data, "anchor", "create"));
  addOne(data, "b");
  expectOk(vigil(data, "anchor", "create"));
  const oldKey = readFileSync(join(data, "keys", "signing.key"), "utf8");
  return { data, oldKey, oldVkey: expectOk(vigil(data, "key", "show")).stdout.trim() };
}

function verifyAll(data: string, exit = 0): Check[] {
  return expectJson<{ anchors: Check[] }>(vigil(data, "--json", "anchor", "verify", "--all"), exit).anchors;
}

async function append(data: string, record: JournalRecord): Promise<void> {
  const v = await openLocker(data);
  try {
    await v.log.append([{ encoded: encodeRecord(record), record }], projectAll);
  } finally {
    await v.close();
  }
}

const { data, oldKey, oldVkey } = lockerWithAnchors("main");
const rot = expectJson<Rotation>(vigil(data, "--json", "key", "rotate"));
addOne(data, "c");
expectOk(vigil(data, "anchor", "create"));
const newVkey = expectOk(vigil(data, "key", "show")).stdout.trim();

void test("rotate: a new key, the record signed by both, sealed by the old key; new anchors by the new key", async () => {
  assert.deepEqual(
    [rot.from, rot.to, rot.recordLeaf, rot.sealedBy, rot.resumed],
    [oldVkey, newVkey, 2, 3, false],
  );
  assert.notEqual(oldVkey, newVkey);
  assert.equal(readFileSync(join(data, "keys", "signing.vkey"), "utf8").trim(), newVkey);
  assert.notEqual(
    readFileSync(join(data, "keys", "signing.key"), "utf8"),
    oldKey,
    "the old private key is gone",
  );
  assert.equal(existsSync(join(data, "keys", "signing.key.next")), false);
  const v = await openLocker(data);
  const anchors = await v.log.listCheckpoints();
  await v.close();
  assert.deepEqual(
    anchors.map((a) => a.size),
    [1, 2, 3, 4],
  );
  const [oldV, newV] = [parseVerifierKey(oldVkey), parseVerifierKey(newVkey)];
  const signedBy = anchors.map((a) =>
    openNote(a.note, [oldV, newV]).verified[0]?.keyId === newV.keyId ? "new" : "old",
  );
  assert.deepEqual(signedBy, ["old", "old", "old", "new"]);
});

void test("key history: each key with the sizes it may sign, the old key up to the rotation record", () => {
  const h = expectJson<{
    keys: { verifierKey: string; fromSize: number; untilSize: number | null }[];
    problems: string[];
  }>(vigil(data, "--json", "key", "history"));
  assert.deepEqual(h, {
    keys: [
      { verifierKey: oldVkey, keyId: h.keys[0]?.verifierKey.split("+")[1], fromSize: 0, untilSize: 3 },
      { verifierKey: newVkey, keyId: h.keys[1]?.verifierKey.split("+")[1], fromSize: 3, untilSize: null },
    ],
    problems: [],
  });
});

void test("every anchor verifies across the rotation: anchor verify --all and a full verify", () => {
  const checks = verifyAll(data);
  assert.deepEqual(
    checks.map((c) => [c.seq, c.ok]),
    [
      [1, true],
      [2, true],
      [3, true],
      [4, true],
    ],
  );
  const full = expectJson<{ result: string }>(vigil(data, "--json", "verify", "--mode", "full"));
  assert.equal(full.result, "passed");
});

void test("the old key cannot sign new anchors: one signed with it after the rotation fails verification", async () => {
  const copy = copyLocker(data, join(root, "old-signs"));
  addOne(copy, "d");
  const v = await openLocker(copy);
  try {
    const ctx = {
      log: v.log,
      signer: parseSignerKey(oldKey),
      verifier: v.verifier,
      origin: v.config.origin,
      clock: v.clock,
    };
    await createAnchor(ctx);
  } finally {
    await v.close();
  }
  const checks = verifyAll(copy, 1);
  assert.deepEqual(
    checks.map((c) => c.ok),
    [true, true, true, true, false],
  );
  assert.match(checks[4]?.problems.join("\n") ?? "", /no verifiable signatures/);
});

void test("a tampered rotation record is detected: the chain break fails the latest anchor", async () => {
  const copy = lockerWithAnchors("tampered").data;
  const v = await openLocker(copy);
  const current = v.signer;
  await v.close();
  const intruder = ed25519Signer(current.name, Buffer.alloc(32, 1));
  // The locker's key "rotated" to an intruder's, signed by the intruder alone.
  const real = keyRotated(current.name, current, intruder, new Date());
  const forged = { ...real, statement: signNote(rotationText(real), [intruder]) };
  await append(copy, forged);
  expectOk(vigil(copy, "anchor", "create"));
  const checks = verifyAll(copy, 1);
  assert.equal(checks.at(-1)?.ok, false);
  assert.match(
    checks.at(-1)?.problems.join("\n") ?? "",
    /key chain: key.rotated record at leaf 2: statement/,
  );
});

void test("rotation refuses while a server has started and not stopped", async () => {
  const copy = lockerWithAnchors("serving").data;
  await append(copy, { type: SERVER_STARTED, v: 1, server: "srv_test", at: new Date().toISOString() });
  expectError(vigil(copy, "key", "rotate"), 4, /server srv_test .* has not stopped/);
  assert.equal(existsSync(join(copy, "keys", "signing.key.next")), false, "nothing written");
});

void test("a rotation that crashed after its record is finished by running rotate again; until then nothing signs", async () => {
  const copy = lockerWithAnchors("crashed").data;
  const v = await openLocker(copy);
  const old = v.signer;
  await v.close();
  // The state after steps 1-2 of rotateKey: the next key written, the record appended.
  const seed = Buffer.alloc(32, 2);
  const text = formatSignerKey(old.name, seed);
  writeFileSync(join(copy, "keys", "signing.key.next"), `${text}\n`, { mode: 0o600 });
  await append(copy, keyRotated(old.name, old, ed25519Signer(old.name, seed), new Date()));
  expectError(vigil(copy, "anchor", "create"), 6, /rotation is unfinished/);
  const r = expectJson<Rotation>(vigil(copy, "--json", "key", "rotate"));
  assert.deepEqual([r.resumed, r.recordLeaf, r.sealedBy], [true, 2, 3]);
  addOne(copy, "after");
  expectOk(vigil(copy, "anchor", "create"));
  const checks = verifyAll(copy);
  assert.ok(checks.every((c) => c.ok));
});

interface PackReport {
  ok: boolean;
  findings: { file: string; problem: string }[];
  keyProblems: string[];
}

/** `vigil verify --offline` of a pack with a trusted key; the report and the exit code. */
function verifyPack(pack: string, key: string): PackReport {
  return expectJson<PackReport>(
    vigil(join(root, "none"), "--json", "verify", "--offline", "--input", pack, "--trusted-key", key),
  );
}

void test("offline packs after a rotation: keys.json leads the old trusted key to the new one (and back)", () => {
  const pack = join(root, "rotated-pack");
  expectOk(vigil(data, "export", "--query", "--domain", "keys", "-o", pack));
  const keys = JSON.parse(readFileSync(join(pack, "keys.json"), "utf8")) as { rotations: { to: string }[] };
  assert.deepEqual(
    keys.rotations.map((r) => r.to),
    [newVkey],
  );
  for (const key of [oldVkey, newVkey]) {
    const rep = verifyPack(pack, key);
    assert.deepEqual([rep.ok, rep.findings, rep.keyProblems], [true, [], []]);
  }
  const strangerKey = expectOk(vigil(newLocker(root, "stranger"), "key", "show")).stdout.trim();
  expectError(
    vigil(join(root, "none"), "verify", "--offline", "--input", pack, "--trusted-key", strangerKey),
    6,
  );
});

void test("a forged keys.json (sums fixed up) leads nowhere: the old key does not reach the new one", () => {
  const pack = join(root, "forged-pack");
  expectOk(vigil(data, "export", "--query", "--domain", "keys", "-o", pack));
  const path = join(pack, "keys.json");
  const keys = JSON.parse(readFileSync(path, "utf8")) as { rotations: { statement: string }[] };
  const r = keys.rotations[0] as { statement: string };
  r.statement = r.statement.replace(/\n\n— .*\n/, "\n\n"); // drop the old key's signature line
  const bytes = Buffer.from(`${JSON.stringify(keys, null, 2)}\n`);
  writeFileSync(path, bytes);
  const sums = readFileSync(join(pack, "SHA256SUMS"), "utf8").replace(
    /^[0-9a-f]{64}( [ *]?keys\.json)$/m,
    (_m, rest: string) => `${createHash("sha256").update(bytes).digest("hex")}${rest}`,
  );
  writeFileSync(join(pack, "SHA256SUMS"), sums);
  expectError(
    vigil(join(root, "none"), "verify", "--offline", "--input", pack, "--trusted-key", oldVkey),
    6,
    /checkpoint is not signed by the trusted key/,
  );
  // The new key verifies its own checkpoint, but no longer reaches the old key's anchors in chain.json.
  const rep = expectJson<PackReport>(
    vigil(join(root, "none"), "--json", "verify", "--offline", "--input", pack, "--trusted-key", newVkey),
    1,
  );
  assert.deepEqual(rep.keyProblems, []);
  assert.deepEqual(
    rep.findings.map((x) => x.problem.replace(/ vigil\.local\S*/, "")),
    [
      "anchor 1 (size 1): not signed by the trusted key",
      "anchor 2 (size 2): not signed by the trusted key",
      "anchor 3 (size 3): not signed by the trusted key",
    ],
  );
});

embeddedTest(
  "a replica pinned to the old key follows the source across the rotation, and verifies",
  REPLICAS,
  () => {
    const src = lockerWithAnchors("rep-src").data;
    const to = join(root, "rep-follower");
    expectOk(vigil(src, "replicate", "--from", src, "--to", to));
    expectOk(vigil(src, "key", "rotate"));
    addOne(src, "after");
    expectOk(vigil(src, "anchor", "create"));
    const r = expectJson<{ latest: { seq: number } }>(
      vigil(src, "--json", "replicate", "--from", src, "--to", to),
    );
    assert.equal(r.latest.seq, 4);
    assert.ok(verifyAll(to).every((c) => c.ok));
    assert.equal(
      expectJson<{ result: string }>(vigil(to, "--json", "verify", "--mode", "full")).result,
      "passed",
    );
  },
);

embeddedTest(
  "a source whose key changed without a rotation record is refused by its replica",
  REPLICAS,
  async () => {
    const src = lockerWithAnchors("swap-src").data;
    const to = join(root, "swap-follower");
    expectOk(vigil(src, "replicate", "--from", src, "--to", to));
    const v = await openLocker(src);
    const name = v.signer.name;
    await v.close();
    const seed = Buffer.alloc(32, 9);
    const swapped = ed25519Signer(name, seed);
    writeFileSync(join(src, "keys", "signing.key"), `${formatSignerKey(name, seed)}\n`, { mode: 0o600 });
    writeFileSync(join(src, "keys", "signing.vkey"), `${formatVerifierKey(name, swapped.publicKey)}\n`);
    addOne(src, "after");
    expectOk(vigil(src, "anchor", "create"));
    expectError(
      vigil(src, "replicate", "--from", src, "--to", to),
      1,
      /not signed by the key this replica follows/,
    );
  },
);
