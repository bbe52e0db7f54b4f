/** Verification, reports, status and storage stats over HTTP; per-tenant counts never leak. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { auth, startHarness, upload, type Harness } from "./harness.js";

let h: Harness;
let every: string;
let opA: string;
let viewB: string;
before(async () => {
  h = await startHarness();
  every = await h.token("admin", "*");
  opA = await h.token("operator", "alpha");
  viewB = await h.token("viewer", "beta");
  for (const [t, n] of [
    ["alpha", 2],
    ["beta", 1],
  ] as const) {
    const tok = await h.token("producer", t);
    for (let i = 0; i < n; i++)
      assert.equal(
        (await h.inject(upload(tok, randomBytes(1000), { domain: "st", name: `n${i}` }))).statusCode,
        201,
      );
  }
  await h.inject({ method: "POST", url: "/v1/anchors", headers: auth(every) });
});
after(() => h.close());

const get = (url: string, token: string) => h.inject({ method: "GET", url, headers: auth(token) });
const verify = (token: string, payload?: object) =>
  h.inject({ method: "POST", url: "/v1/verify", headers: auth(token), ...(payload ? { payload } : {}) });

void test("POST /v1/verify runs a quick verification; a tenant's token sees no artifact counts or ids", async () => {
  const size = await h.journalSize();
  const receipts = h.server.ctx.writer.receipts;
  const r = await verify(opA, { mode: "quick", sample: 5, seed: 7 });
  assert.equal(r.statusCode, 200, r.body);
  const rep = r.json<{
    result: string;
    seed: number;
    reportId: string;
    findings: unknown;
    counts: object;
    redacted: boolean;
  }>();
  assert.equal(rep.result, "passed");
  assert.equal(rep.seed, 7);
  assert.match(rep.reportId, /^sha256:/);
  assert.equal(rep.findings, 0);
  assert.equal(rep.redacted, true);
  assert.deepEqual(Object.keys(rep.counts).sort(), ["anchors", "leaves", "nodes"]);
  assert.equal(await h.journalSize(), size + 2, "the report and its receipt");
  assert.equal(h.server.ctx.writer.receipts, receipts + 1);
});

void test("an every-tenant token runs a full verification and sees the whole report", async () => {
  const r = await verify(every, { mode: "full" });
  assert.equal(r.statusCode, 200, r.body);
  const rep = r.json<{ mode: string; result: string; findings: unknown[]; counts: { artifacts: number } }>();
  assert.equal(rep.mode, "full");
  assert.equal(rep.result, "passed");
  assert.deepEqual(rep.findings, []);
  assert.ok(rep.counts.artifacts >= 4, "3 uploads and at least one report");
  assert.equal((await verify(every)).statusCode, 200, "no body: quick with defaults");
});

void test("a second verification while one runs is 409; bad bodies are 400 and write nothing", async () => {
  const both = await Promise.all([verify(every, { mode: "full" }), verify(every, { mode: "full" })]);
  assert.deepEqual(both.map((r) => r.statusCode).sort(), [200, 409]);
  const size = await h.journalSize();
  for (const body of [{ mode: "deep" }, { sample: 0 }, { seed: -1 }, { extra: 1 }]) {
    const r = await verify(every, body);
    assert.equal(r.statusCode, 400, JSON.stringify(body));
    assert.equal(r.json<{ code: string }>().code, "INPUT_INVALID");
  }
  assert.equal(await h.journalSize(), size);
});

void test("reports: listed oldest first, the latest in full; no token can plant a look-alike", async () => {
  const fake = {
    domain: "vigil",
    subdomain: "verification",
    name: "verify-quick",
    kind: "verification-report",
  };
  const plant = { default: await h.token("producer", "default"), alpha: await h.token("producer", "alpha") };
  const size = await h.journalSize();
  for (const [tenant, producer] of [
    ["default", "me"],
    ["alpha", "vigil verify"],
  ] as const) {
    const r = await h.inject(upload(plant[tenant], '{"result":"passed"}', { ...fake, producer }));
    assert.equal(r.statusCode, 400, r.body);
    assert.match(r.json<{ detail: string }>().detail, /domain vigil is reserved/);
  }
  const batch = await h.inject({
    method: "POST",
    url: "/v1/evidence/batch",
    headers: auth(every),
    payload: { items: [{ data: "e30=", ...fake }] },
  });
  assert.equal(batch.statusCode, 400, batch.body);
  assert.equal(await h.journalSize(), size, "refused plants write nothing");
  const last = (await verify(every, { sample: 3, seed: 1 })).json<{ reportId: string }>().reportId;
  const list = (await get("/v1/verify/reports?limit=1000", viewB)).json<{
    reports: { id: string; mode: string }[];
  }>();
  assert.equal(list.reports.at(-1)?.id, last);
  assert.ok(list.reports.every((x) => x.mode === "quick" || x.mode === "full"));
  const latest = await get("/v1/verify/reports/latest", viewB);
  assert.equal(latest.json<{ id: string }>().id, last);
  assert.equal(latest.json<{ redacted: boolean }>().redacted, true);
  assert.ok(
    Array.isArray((await get("/v1/verify/reports/latest", every)).json<{ findings: unknown }>().findings),
  );
});

void test("status and storage stats count the caller's tenant only; an every-tenant token sees all", async () => {
  const sA = (await get("/v1/status", opA)).json<{
    artifacts: number;
    tenant: string;
    journalSize: number;
  }>();
  const sB = (await get("/v1/status", viewB)).json<{ artifacts: number }>();
  assert.equal(sA.tenant, "alpha");
  assert.equal(sA.artifacts, 2);
  assert.equal(sB.artifacts, 1);
  assert.equal(sA.journalSize, await h.journalSize());
  const all = (await get("/v1/status", every)).json<{ artifacts: number; tenant?: string }>();
  assert.ok(all.artifacts > sA.artifacts + sB.artifacts);
  assert.equal(all.tenant, undefined);
  const stB = (await get("/v1/storage/stats", viewB)).json<Record<string, unknown>>();
  assert.deepEqual(Object.keys(stB).sort(), ["artifacts", "byKind", "bytes", "journalSize", "tenant"]);
  assert.deepEqual(stB.byKind, [{ kind: "generic", artifacts: 1, bytes: 1000 }]);
  const stAll = (await get("/v1/storage/stats", every)).json<{
    blobs: { inline: number };
    database: { engine: string; bytes: number };
  }>();
  assert.ok(stAll.blobs.inline >= 3, JSON.stringify(stAll));
  assert.equal(stAll.database.engine, h.backend);
  assert.ok(stAll.database.bytes > 0);
  const ixB = (await get("/v1/index/status", viewB)).json<Record<string, unknown>>();
  assert.deepEqual(Object.keys(ixB).sort(), ["journalSize", "lag", "position"]);
  assert.equal(ixB.lag, 0);
  assert.ok("rows" in (await get("/v1/index/status", every)).json<object>());
});
