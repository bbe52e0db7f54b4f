/** End-to-end: anchors (signed checkpoints) and RFC 6962 proofs, checked with the journal's verifiers. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import {
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from "../../src/journal/index.js";
import {
  artifactId,
  b64,
  expectError,
  expectJson,
  expectJsonLines,
  expectOk,
  newLocker,
  rfc6962Leaf,
  rfc6962Root,
  useTempRoot,
  vigil,
  writeFile,
} from "./cli-helpers.js";
import { column, lockerSql } from "./locker-db.js";

interface Anchor {
  seq: number;
  size: number;
  root: string;
  createdAt: string;
  note: string;
  created?: boolean;
  link?: string[] | null;
}

interface InclusionProof {
  v: number;
  type: string;
  leafIndex: number;
  treeSize: number;
  leafHash: string;
  root: string;
  proof: string[];
}

interface ConsistencyProof {
  v: number;
  type: string;
  size1: number;
  size2: number;
  root1: string;
  root2: string;
  proof: string[];
}

const root = useTempRoot("anchor");
const data = newLocker(root);

/** add-batch a directory of N small files; returns the artifact ids in leaf order. */
function addFiles(tag: string, n: number): string[] {
  const dir = join(root, tag);
  for (let i = 0; i < n; i++)
    writeFile(join(dir, `${tag}-${String(i).padStart(2, "0")}.json`), `{"${tag}":${i}}\n`);
  const acks = expectJsonLines<{ id: string; leafIndex: number }>(
    vigil(data, "--json", "evidence", "add-batch", dir, "--domain", "anchors"),
  );
  return acks.sort((a, b) => a.leafIndex - b.leafIndex).map((a) => a.id);
}

/** Journal bodies straight from the database: the independent view of the tree. */
function journalLeaves(): Buffer[] {
  return column<Buffer>(lockerSql(data, "SELECT body FROM entries ORDER BY idx")).map(rfc6962Leaf);
}

const ids = [...addFiles("first", 7)];
const a1 = expectJson<Anchor>(vigil(data, "--json", "anchor", "create"));
ids.push(...addFiles("second", 4));
const a2 = expectJson<Anchor>(vigil(data, "--json", "anchor", "create"));
const verifierKey = expectOk(vigil(data, "key", "show")).stdout;
const verifier = parseVerifierKey(verifierKey);

void test("anchor create signs a checkpoint of the journal; again when up to date is a no-op", () => {
  assert.deepEqual([a1.created, a1.seq, a1.size], [true, 1, 7]);
  assert.deepEqual([a2.created, a2.seq, a2.size], [true, 2, 11]);
  const again = expectJson<Anchor>(vigil(data, "--json", "anchor", "create"));
  assert.deepEqual({ ...again, created: undefined }, { ...a2, created: undefined });
  assert.equal(again.created, false);
  const empty = newLocker(root, "empty", { twin: false }); // a served journal always holds the server's start
  expectError(vigil(empty, "anchor", "create"), 4, /empty/);
  expectError(vigil(empty, "anchor", "export", "-o", join(root, "none.note")), 3, /no anchors yet/);
});

void test("anchor roots equal the RFC 6962 tree hash recomputed from the stored journal entries", () => {
  const leaves = journalLeaves();
  assert.equal(leaves.length, 11);
  assert.equal(rfc6962Root(leaves.slice(0, 7)).toString("base64"), a1.root);
  assert.equal(rfc6962Root(leaves).toString("base64"), a2.root);
});

void test("anchor list --show-links: each link is a consistency proof from the previous anchor", () => {
  const list = expectJson<Anchor[]>(vigil(data, "--json", "anchor", "list", "--show-links"));
  assert.deepEqual(
    list.map((a) => [a.seq, a.size, a.root, a.link === null]),
    [
      [1, 7, a1.root, true],
      [2, 11, a2.root, false],
    ],
  );
  const link = (list[1]?.link ?? []).map(b64);
  assert.ok(link.length > 0);
  assert.equal(verifyConsistency(7, 11, b64(a1.root), b64(a2.root), link), true);
  assert.equal(verifyConsistency(7, 11, b64(a2.root), b64(a1.root), link), false);
  const plain = expectJson<Anchor[]>(vigil(data, "--json", "anchor", "list"));
  assert.ok(plain.every((a) => !("link" in a)));
});

void test("anchor inspect shows one anchor and its signed note; unknown seq exits 3", () => {
  const one = expectJson<Anchor>(vigil(data, "--json", "anchor", "inspect", "1"));
  assert.deepEqual(one, { seq: 1, size: 7, root: a1.root, createdAt: a1.createdAt, note: a1.note });
  expectError(vigil(data, "anchor", "inspect", "99"), 3, /no anchor 99/);
  expectError(vigil(data, "anchor", "inspect", "zero"), 2);
});

void test("anchor export -o writes a signed note that openNote verifies with the key show output", () => {
  const latest = join(root, "latest.note");
  const first = join(root, "first.note");
  assert.deepEqual(expectJson(vigil(data, "--json", "anchor", "export", "-o", latest)), {
    seq: 2,
    size: 11,
    file: latest,
  });
  expectOk(vigil(data, "anchor", "export", "1", "-o", first));
  for (const [file, a] of [
    [latest, a2],
    [first, a1],
  ] as const) {
    const note = readFileSync(file, "utf8");
    assert.equal(note, a.note);
    const opened = openNote(note, [verifier]);
    assert.equal(opened.verified.length, 1);
    const cp = parseCheckpoint(opened.text);
    assert.equal(cp.origin, verifier.name);
    assert.equal(cp.size, a.size);
    assert.equal(Buffer.from(cp.root).toString("base64"), a.root);
  }
  const forged = readFileSync(latest, "utf8").replace("\n11\n", "\n12\n");
  assert.throws(() => openNote(forged, [verifier]), /invalid signature/);
  expectError(vigil(data, "anchor", "export", "42", "-o", join(root, "x.note")), 3);
});

void test("anchor export -o into a missing directory exits 3 (a typed error, not internal 70)", () => {
  expectError(
    vigil(data, "anchor", "export", "-o", join(root, "no-such-dir", "latest.note")),
    3,
    /no-such-dir/,
  );
});

void test("anchor verify --latest and --all check every anchor and exit 0", () => {
  const latest = expectJson<{ ok: boolean; anchors: { seq: number; ok: boolean; problems: string[] }[] }>(
    vigil(data, "--json", "anchor", "verify", "--latest"),
  );
  assert.equal(latest.ok, true);
  assert.deepEqual(
    latest.anchors.map((a) => [a.seq, a.ok, a.problems.length]),
    [[2, true, 0]],
  );
  const all = expectJson<typeof latest>(vigil(data, "--json", "anchor", "verify", "--all"));
  assert.deepEqual(
    all.anchors.map((a) => [a.seq, a.ok]),
    [
      [1, true],
      [2, true],
    ],
  );
});

void test("proof inclusion --json verifies with verifyInclusion against the anchor root", () => {
  const leaves = journalLeaves();
  const cases: [leaf: number, size: string | null, anchor: Anchor][] = [
    [0, null, a2],
    [5, null, a2],
    [10, null, a2],
    [6, "7", a1],
    [2, "7", a1],
  ];
  for (const [leaf, size, anchor] of cases) {
    const id = ids[leaf] as string;
    const p = expectJson<InclusionProof>(
      vigil(data, "--json", "proof", "inclusion", id, ...(size === null ? [] : ["--size", size])),
    );
    assert.deepEqual([p.v, p.type, p.leafIndex, p.treeSize], [1, "inclusion", leaf, anchor.size]);
    assert.equal(p.root, anchor.root);
    assert.equal(p.leafHash, leaves[leaf]?.toString("base64"), "leaf hash is SHA-256(0x00 || stored record)");
    assert.equal(
      verifyInclusion(leaf, anchor.size, b64(p.leafHash), p.proof.map(b64), b64(anchor.root)),
      true,
    );
    const other = leaves[(leaf + 1) % leaves.length] as Buffer;
    assert.equal(verifyInclusion(leaf, anchor.size, other, p.proof.map(b64), b64(anchor.root)), false);
  }
});

void test("proof consistency --from M --to N --json verifies with verifyConsistency", () => {
  const leaves = journalLeaves();
  for (const [m, n] of [
    [7, 11],
    [1, 11],
    [3, 7],
    [4, 9],
    [11, 11],
  ] as const) {
    const p = expectJson<ConsistencyProof>(
      vigil(data, "--json", "proof", "consistency", "--from", String(m), "--to", String(n)),
    );
    assert.deepEqual([p.v, p.type, p.size1, p.size2], [1, "consistency", m, n]);
    assert.equal(p.root1, rfc6962Root(leaves.slice(0, m)).toString("base64"));
    assert.equal(p.root2, rfc6962Root(leaves.slice(0, n)).toString("base64"));
    assert.equal(verifyConsistency(m, n, b64(p.root1), b64(p.root2), p.proof.map(b64)), true, `${m} -> ${n}`);
  }
});

void test("proofs beyond the journal or before the leaf exit 5; unknown artifacts exit 3", () => {
  const last = ids[10] as string;
  expectError(vigil(data, "proof", "inclusion", last, "--size", "12"), 5, /exceeds the journal size 11/);
  expectError(vigil(data, "proof", "inclusion", last, "--size", "10"), 5, /not in a tree of size 10/);
  expectError(vigil(data, "proof", "consistency", "--from", "3", "--to", "12"), 5);
  expectError(vigil(data, "proof", "consistency", "--from", "9", "--to", "4"), 5);
  expectError(vigil(data, "proof", "inclusion", artifactId(Buffer.from("absent"))), 3);
  // An artifact added after the latest anchor is not provable until the next anchor.
  const late = writeFile(join(root, "late.json"), '{"late":true}\n');
  expectOk(vigil(data, "evidence", "add", join(root, "late.json"), "--domain", "anchors"));
  expectError(vigil(data, "proof", "inclusion", artifactId(late)), 5, /anchor first/);
  const p = expectJson<InclusionProof>(
    vigil(data, "--json", "proof", "inclusion", artifactId(late), "--size", "12"),
  );
  assert.equal(
    verifyInclusion(11, 12, b64(p.leafHash), p.proof.map(b64), rfc6962Root(journalLeaves())),
    true,
  );
});

void test("anchor new-chain --reason; anchor verify --all passes and shows the archived segment", () => {
  // No served twin: new-chain is local-only, and a twin's journal holds its server's records too.
  const fresh = newLocker(root, "new-chain", { twin: false });
  expectError(vigil(fresh, "anchor", "new-chain", "--reason", "x"), 4, /no anchors yet/);
  expectOk(vigil(fresh, "--json", "verify", "--mode", "quick")); // stores a report: something to anchor
  expectOk(vigil(fresh, "--json", "anchor", "create"));
  expectError(vigil(fresh, "anchor", "new-chain"), 2, /--reason/);
  const c = expectJson<{ segment: number; anchor: { seq: number } }>(
    vigil(fresh, "--json", "anchor", "new-chain", "--reason", "lost the disk holding anchors 2-5"),
  );
  assert.deepEqual([c.segment, c.anchor.seq], [2, 2]);
  const checks = expectJson<{ ok: boolean; anchors: { seq: number; segment: number; archived: boolean }[] }>(
    vigil(fresh, "--json", "anchor", "verify", "--all"),
  );
  assert.equal(checks.ok, true);
  assert.deepEqual(
    checks.anchors.map((a) => [a.seq, a.segment, a.archived]),
    [
      [1, 1, true],
      [2, 2, false],
    ],
  );
});
