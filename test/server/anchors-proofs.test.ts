/** Anchors and proofs over HTTP: pages, signed notes, inclusion proofs that verify, tenant isolation. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import {
  leafHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
} from "../../src/journal/index.js";
import { auth, startHarness, upload, type Harness } from "./harness.js";

let h: Harness;
let opA: string;
let opB: string;
before(async () => {
  h = await startHarness();
  opA = await h.token("operator", "alpha");
  opB = await h.token("operator", "beta");
});
after(() => h.close());

const get = (url: string, token: string) => h.inject({ method: "GET", url, headers: auth(token) });
const anchorNow = (token: string) => h.inject({ method: "POST", url: "/v1/anchors", headers: auth(token) });
const b64 = (s: string) => Buffer.from(s, "base64");

async function add(token: string): Promise<string> {
  const r = await h.inject(upload(token, randomBytes(200), { domain: "prf", name: "a" }));
  assert.equal(r.statusCode, 201, r.body);
  return r.json<{ id: string }>().id;
}

void test("POST /v1/anchors signs a checkpoint (201), then says it is up to date (200)", async () => {
  await add(opA);
  const r = await anchorNow(opA);
  assert.equal(r.statusCode, 201, r.body);
  const a = r.json<{ seq: number; size: number; created: boolean; note: string }>();
  assert.equal(a.created, true);
  assert.equal(a.size, await h.journalSize());
  const again = await anchorNow(opA);
  assert.equal(again.statusCode, 200);
  assert.equal(again.json<{ seq: number }>().seq, a.seq);
  const note = await get(`/v1/anchors/${a.seq}/note`, opA);
  assert.equal(note.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(note.body, a.note);
  const latest = await get("/v1/anchors/latest", opA);
  assert.deepEqual(latest.json(), (await get(`/v1/anchors/${a.seq}`, opA)).json());
});

void test("concurrent POST /v1/anchors sign one anchor: the others are told it is up to date", async () => {
  await add(opA);
  const rs = await Promise.all(Array.from({ length: 6 }, () => anchorNow(opA)));
  assert.deepEqual(rs.map((r) => r.statusCode).sort(), [200, 200, 200, 200, 200, 201]);
  assert.equal(new Set(rs.map((r) => r.json<{ seq: number }>().seq)).size, 1);
});

void test("GET /v1/anchors pages through the chain with ?after= and ?limit=; links on request", async () => {
  for (let i = 0; i < 3; i++) {
    await add(opA);
    assert.equal((await anchorNow(opA)).statusCode, 201);
  }
  const all = (await get("/v1/anchors?limit=1000", opA)).json<{ anchors: { seq: number }[] }>().anchors;
  assert.ok(all.length >= 3);
  const p1 = (await get("/v1/anchors?limit=2", opA)).json<{ anchors: { seq: number }[]; next: number }>();
  assert.deepEqual(
    p1.anchors.map((a) => a.seq),
    [1, 2],
  );
  assert.equal(p1.next, 2);
  const rest = (await get(`/v1/anchors?after=${p1.next}&limit=1000`, opA)).json<{
    anchors: { seq: number }[];
    next: null;
  }>();
  assert.deepEqual(
    rest.anchors.map((a) => a.seq),
    all.slice(2).map((a) => a.seq),
  );
  assert.equal(rest.next, null);
  const linked = (await get("/v1/anchors?links=true&limit=2", opA)).json<{
    anchors: { link: string[] | null }[];
  }>();
  assert.equal(linked.anchors[0]?.link, null, "the first anchor has no predecessor");
  assert.ok(Array.isArray(linked.anchors[1]?.link));
});

void test("an inclusion proof verifies against the signed anchor it names, by the locker's key", async () => {
  const id = await add(opA);
  const a = (await anchorNow(opA)).json<{ seq: number }>();
  const r = await get(`/v1/evidence/${id}/proof?anchor=${a.seq}`, opA);
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json<{
    leafIndex: number;
    treeSize: number;
    leafHash: string;
    proof: string[];
    anchor: { note: string };
  }>();
  const opened = openNote(p.anchor.note, [parseVerifierKey(h.server.ctx.vigil.verifierKey)]);
  const cp = parseCheckpoint(opened.text);
  assert.equal(cp.size, p.treeSize);
  const [entry] = await h.server.ctx.vigil.log.readEntries(p.leafIndex, p.leafIndex + 1);
  assert.deepEqual(leafHash(entry?.bytes ?? Buffer.alloc(0)), b64(p.leafHash));
  assert.ok(verifyInclusion(p.leafIndex, p.treeSize, b64(p.leafHash), p.proof.map(b64), cp.root));
  const flipped = b64(p.leafHash);
  flipped[0] = (flipped[0] ?? 0) ^ 1;
  assert.ok(!verifyInclusion(p.leafIndex, p.treeSize, flipped, p.proof.map(b64), cp.root));
});

void test("another tenant's artifact gets the same 404 as a missing one, and both leave a receipt", async () => {
  const id = await add(opA);
  await anchorNow(opA);
  const before = h.server.ctx.writer.receipts;
  const foreign = await get(`/v1/evidence/${id}/proof`, opB);
  const missing = await get(`/v1/evidence/sha256:${"ab".repeat(32)}/proof`, opB);
  assert.equal(foreign.statusCode, 404);
  assert.equal(missing.statusCode, 404);
  const strip = (b: string) => ({ ...JSON.parse(b), detail: undefined }) as object;
  assert.deepEqual(strip(foreign.body), strip(missing.body));
  assert.equal(foreign.json<{ detail: string }>().detail, `no artifact ${id}`);
  assert.equal(h.server.ctx.writer.receipts, before + 2);
});

void test("a leaf newer than the anchor is a 400 (as the CLI's exit 5) that still leaves a receipt; unknown anchor is 404", async () => {
  await anchorNow(opA);
  const id = await add(opA);
  const before = h.server.ctx.writer.receipts;
  const r = await get(`/v1/evidence/${id}/proof?anchor=1`, opA);
  assert.equal(r.statusCode, 400);
  assert.match(r.json<{ detail: string }>().detail, /anchor first/);
  assert.equal((await get(`/v1/evidence/${id}/proof?anchor=9999`, opA)).statusCode, 404);
  assert.equal(h.server.ctx.writer.receipts, before + 2);
});

void test("?size=N proves in the tree of that size, as `proof inclusion --size`; with ?anchor= too it is a 400", async () => {
  const id = await add(opA);
  const meta = (await get(`/v1/evidence/${id}/meta`, opA)).json<{ leafIndex: number }>();
  const size = meta.leafIndex + 1;
  const p = (await get(`/v1/evidence/${id}/proof?size=${size}`, opA)).json<{
    treeSize: number;
    leafHash: string;
    root: string;
    proof: string[];
    anchor: unknown;
  }>();
  assert.deepEqual([p.treeSize, p.anchor], [size, null]);
  const root = Buffer.from(p.root, "base64");
  const leaf = Buffer.from(p.leafHash, "base64");
  assert.equal(
    verifyInclusion(
      meta.leafIndex,
      size,
      leaf,
      p.proof.map((x) => Buffer.from(x, "base64")),
      root,
    ),
    true,
  );
  assert.equal((await get(`/v1/evidence/${id}/proof?size=${size - 1}`, opA)).statusCode, 400);
  assert.equal((await get(`/v1/evidence/${id}/proof?size=${size}&anchor=1`, opA)).statusCode, 400);
  assert.equal((await get(`/v1/evidence/${id}/proof?size=0`, opA)).statusCode, 400);
});

void test("a consistency proof links two anchors; bad sizes are 400 and write nothing", async () => {
  const [a1, a2] = (await get("/v1/anchors?limit=2", opA)).json<{
    anchors: { size: number; root: string }[];
  }>().anchors as [{ size: number; root: string }, { size: number; root: string }];
  const r = await get(`/v1/proofs/consistency?from=${a1.size}&to=${a2.size}`, opB);
  assert.equal(r.statusCode, 200, r.body);
  const p = r.json<{ root1: string; root2: string; proof: string[] }>();
  assert.equal(p.root1, a1.root);
  assert.equal(p.root2, a2.root);
  assert.ok(verifyConsistency(a1.size, a2.size, b64(a1.root), b64(a2.root), p.proof.map(b64)));
  const size = await h.journalSize();
  for (const q of ["from=5&to=2", "from=0&to=2", "from=1", `from=1&to=${size + 1}`, "from=x&to=2"]) {
    const bad = await get(`/v1/proofs/consistency?${q}`, opA);
    assert.equal(bad.statusCode, 400, q);
    assert.equal(bad.json<{ code: string }>().code, "INPUT_INVALID");
  }
  assert.equal(await h.journalSize(), size);
});
