/** Packs and backups over HTTP: a pack that verifies offline and with GNU tar, tenant-scoped; admin-only backups. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { verifyBackup } from "../../src/lifecycle/backup-verify.js";
import { verifyPackFile } from "../../src/packs/verify-pack.js";
import { auth, startHarness, upload, type Harness } from "./harness.js";

let h: Harness;
let audA: string;
let parent: string;
let child: string;
let foreign: string;
const scratch = mkdtempSync(join(tmpdir(), "vigil-pack-test-"));
before(async () => {
  h = await startHarness();
  audA = await h.token("auditor", "alpha");
  const prodA = await h.token("producer", "alpha");
  const add = async (tok: string, q: Record<string, string>) =>
    (await h.inject(upload(tok, randomBytes(500), { domain: "pk", ...q }))).json<{ id: string }>().id;
  parent = await add(prodA, { name: "parent" });
  child = await add(prodA, { name: "child", parent });
  foreign = await add(await h.token("producer", "beta"), { name: "theirs" });
  await h.inject({ method: "POST", url: "/v1/anchors", headers: auth(await h.token("admin", "*")) });
});
after(async () => {
  await h.close();
  rmSync(scratch, { recursive: true, force: true });
});

const exportPack = (token: string, payload: object) =>
  h.inject({ method: "POST", url: "/v1/packs", headers: auth(token), payload });

void test("POST /v1/packs streams a gzip pack that verifies offline by the locker's key and lists under GNU tar", async () => {
  const r = await exportPack(audA, { ids: [child], includeDeps: true });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.headers["content-type"], "application/gzip");
  assert.equal(r.headers["vigil-pack-artifacts"], "2", "the child and its provenance parent");
  assert.equal(r.headers["vigil-pack-sha256"], createHash("sha256").update(r.rawPayload).digest("hex"));
  const file = join(scratch, "one.tar.gz");
  writeFileSync(file, r.rawPayload);
  const report = await verifyPackFile(file, { trustedKey: h.server.ctx.vigil.verifierKey });
  assert.equal(report.ok, true, JSON.stringify(report.findings));
  assert.equal(report.artifacts, 2);
  const names = execFileSync("tar", ["-tzf", file], { encoding: "utf8" });
  assert.match(names, /SHA256SUMS/);
  const again = await exportPack(audA, { ids: [child], includeDeps: true });
  assert.deepEqual(again.rawPayload, r.rawPayload, "deterministic");
});

void test("a query exports only the caller's tenant; another tenant's id is a 404 with a receipt", async () => {
  const q = await exportPack(audA, { query: { domain: "pk" } });
  assert.equal(q.statusCode, 200, q.body);
  assert.equal(q.headers["vigil-pack-artifacts"], "2");
  const receipts = h.server.ctx.writer.receipts;
  const r = await exportPack(audA, { ids: [foreign] });
  assert.equal(r.statusCode, 404);
  assert.equal(r.json<{ code: string }>().code, "NOT_FOUND");
  assert.equal(h.server.ctx.writer.receipts, receipts + 1);
  const none = await exportPack(audA, { query: { domain: "nothing-here" } });
  assert.equal(none.statusCode, 404);
});

void test("bad pack requests are 400 and write nothing", async () => {
  const size = await h.journalSize();
  for (const body of [{}, { ids: [] }, { ids: [child], query: {} }, { ids: ["nope"] }, { query: { x: 1 } }]) {
    const r = await exportPack(audA, body);
    assert.equal(r.statusCode, 400, JSON.stringify(body));
    assert.equal(r.json<{ code: string }>().code, "INPUT_INVALID");
  }
  assert.equal(await h.journalSize(), size);
});

void test("backups: admin creates one that verifies; operators list them without byte counts and cannot create", async () => {
  const admin = await h.token("admin", "*");
  const op = await h.token("operator", "alpha");
  const r = await h.inject({ method: "POST", url: "/v1/backups", headers: auth(admin) });
  if (h.backend === "postgres") {
    // Online backups copy vigil.db; a PostgreSQL locker is backed up with the database's own tools.
    assert.equal(r.statusCode, 501, r.body);
    assert.equal(r.json<{ code: string }>().code, "UNSUPPORTED");
    return;
  }
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: string }>().id;
  const check = await verifyBackup(join(h.dataDir, "backups", id), h.server.ctx.vigil.verifierKey);
  assert.equal(check.ok, true, check.problems.join("; "));
  const forOp = (await h.inject({ method: "GET", url: "/v1/backups", headers: auth(op) })).json<{
    backups: Record<string, unknown>[];
  }>();
  assert.deepEqual(Object.keys(forOp.backups[0] ?? {}).sort(), ["anchor", "createdAt", "id", "journalSize"]);
  const forAdmin = (await h.inject({ method: "GET", url: "/v1/backups", headers: auth(admin) })).json<{
    backups: { id: string; bytes: number }[];
  }>();
  assert.equal(forAdmin.backups[0]?.id, id);
  assert.ok((forAdmin.backups[0]?.bytes ?? 0) > 0);
  const receipts = h.server.ctx.writer.receipts;
  assert.equal((await h.inject({ method: "POST", url: "/v1/backups", headers: auth(op) })).statusCode, 403);
  assert.equal(h.server.ctx.writer.receipts, receipts + 1, "the refusal is a receipt");
});
