/** The evidence API end to end, in-process: upload, batch, read, inspect, list, lifecycle, receipts. */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { auth, startHarness, upload, type Harness } from "./harness.js";

let h: Harness;
let admin: string;
before(async () => {
  h = await startHarness();
  admin = await h.token("admin");
});
after(() => h.close());

const idOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

void test("upload streams an artifact: 201 with its id and leaf; the same again is 200 exists; bytes read back equal", async () => {
  const body = randomBytes(3000);
  const r = await h.inject(upload(admin, body, { domain: "sec", name: "scan", label: ["env=prod"] }));
  assert.equal(r.statusCode, 201, r.body);
  const o = r.json<{ id: string; status: string; leafIndex: number }>();
  assert.equal(o.id, idOf(body));
  assert.equal(o.status, "added");
  const again = await h.inject(upload(admin, body, { domain: "sec", name: "scan", label: ["env=prod"] }));
  assert.equal(again.statusCode, 200);
  assert.equal(again.json<{ status: string }>().status, "exists");
  const conflict = await h.inject(upload(admin, body, { domain: "sec", name: "other" }));
  assert.equal(conflict.statusCode, 409);
  const got = await h.inject({ method: "GET", url: `/v1/evidence/${o.id}`, headers: auth(admin) });
  assert.equal(got.statusCode, 200);
  assert.deepEqual(got.rawPayload, body);
  assert.equal(got.headers.digest, `sha-256=${createHash("sha256").update(body).digest("base64")}`);
  const meta = await h.inject({ method: "GET", url: `/v1/evidence/${o.id}/meta`, headers: auth(admin) });
  assert.equal(meta.json<{ leafIndex: number }>().leafIndex, o.leafIndex);
  assert.deepEqual(meta.json<{ labels: object }>().labels, { env: "prod" });
});

void test("a large upload goes to the blob directory and reads back whole", async () => {
  const body = randomBytes(300 * 1024);
  const r = await h.inject(upload(admin, body, { domain: "big", name: "dump" }));
  assert.equal(r.statusCode, 201, r.body);
  const id = r.json<{ id: string }>().id;
  const meta = await h.inject({ method: "GET", url: `/v1/evidence/${id}/meta`, headers: auth(admin) });
  assert.equal(meta.json<{ storage: string }>().storage, "file");
  const got = await h.inject({ method: "GET", url: `/v1/evidence/${id}`, headers: auth(admin) });
  assert.deepEqual(got.rawPayload, body);
});

void test("bad metadata is 400 with every problem named, and nothing is written", async () => {
  const size = await h.journalSize();
  const r = await h.inject(upload(admin, "x", { domain: "Bad Domain", date: "2026-13-01" }));
  assert.equal(r.statusCode, 400);
  assert.equal(r.headers["content-type"], "application/problem+json; charset=utf-8");
  const p = r.json<{ code: string; detail: string }>();
  assert.equal(p.code, "INPUT_INVALID");
  assert.match(p.detail, /domain must match/);
  assert.match(p.detail, /name must match/);
  assert.match(p.detail, /date must be/);
  assert.equal(await h.journalSize(), size);
});

void test("batch: many artifacts in one commit; one bad item rejects the batch and writes nothing", async () => {
  const items = Array.from({ length: 50 }, (_, i) => ({
    data: randomBytes(100).toString("base64"),
    domain: "batch",
    name: `item-${i}`,
    labels: { n: String(i) },
  }));
  const r = await h.inject({
    method: "POST",
    url: "/v1/evidence/batch",
    headers: auth(admin),
    payload: { items },
  });
  assert.equal(r.statusCode, 200, r.body);
  const out = r.json<{ added: number; outcomes: { leafIndex: number }[] }>();
  assert.equal(out.added, 50);
  const leaves = out.outcomes.map((o) => o.leafIndex);
  assert.deepEqual(
    leaves,
    leaves.map((_, i) => (leaves[0] as number) + i),
    "consecutive leaves: one commit",
  );
  const size = await h.journalSize();
  const bad = [...items.slice(0, 3), { data: "not base64!", domain: "batch", name: "bad" }];
  const rb = await h.inject({
    method: "POST",
    url: "/v1/evidence/batch",
    headers: auth(admin),
    payload: { items: bad },
  });
  assert.equal(rb.statusCode, 400);
  assert.match(rb.json<{ detail: string }>().detail, /items\[3\]/);
  assert.equal(await h.journalSize(), size);
});

void test("list filters by domain and label; lifecycle hold/release are journal records", async () => {
  const body = randomBytes(64);
  const id = (await h.inject(upload(admin, body, { domain: "listme", name: "a", label: "team=sre" }))).json<{
    id: string;
  }>().id;
  await h.inject(upload(admin, randomBytes(64), { domain: "listme", name: "b" }));
  const l = await h.inject({
    method: "GET",
    url: "/v1/evidence?domain=listme&label=team=sre",
    headers: auth(admin),
  });
  assert.deepEqual(
    l.json<{ id: string }[]>().map((x) => x.id),
    [id],
  );
  const held = await h.inject({
    method: "POST",
    url: `/v1/evidence/${id}/hold`,
    headers: auth(admin),
    payload: { reason: "litigation 7" },
  });
  assert.equal(held.statusCode, 200, held.body);
  const twice = await h.inject({
    method: "POST",
    url: `/v1/evidence/${id}/hold`,
    headers: auth(admin),
    payload: { reason: "again" },
  });
  assert.equal(twice.statusCode, 409);
  const meta = await h.inject({ method: "GET", url: `/v1/evidence/${id}/meta`, headers: auth(admin) });
  assert.equal(meta.json<{ hold: { reason: string } }>().hold.reason, "litigation 7");
});

void test("every read and write leaves a durable access receipt, numbered without gaps", async () => {
  const before = h.server.ctx.writer.receipts;
  const body = randomBytes(10);
  const id = (await h.inject(upload(admin, body, { domain: "rcpt", name: "r" }))).json<{ id: string }>().id;
  await h.inject({ method: "GET", url: `/v1/evidence/${id}`, headers: auth(admin) });
  await h.inject({ method: "GET", url: `/v1/evidence/sha256:${"0".repeat(64)}`, headers: auth(admin) });
  assert.equal(h.server.ctx.writer.receipts, before + 3, "upload, read, not-found read");
});

void test("/healthz, /readyz and /metrics answer without a token", async () => {
  assert.equal((await h.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
  const ready = await h.inject({ method: "GET", url: "/readyz" });
  assert.equal(ready.statusCode, 200, ready.body);
  const m = (await h.inject({ method: "GET", url: "/metrics" })).body;
  for (const name of [
    "vigil_evidence_artifacts_total",
    "vigil_evidence_storage_bytes",
    "vigil_journal_size",
    "vigil_http_requests_total",
  ])
    assert.match(m, new RegExp(`^${name}`, "m"), name);
});

void test("requests are counted by route pattern, and unmatched ones as such", async () => {
  const count = (m: string, route: string, status: number) =>
    Number(
      new RegExp(`^vigil_http_requests_total\\{route="${route}",status="${status}"\\} (\\d+)$`, "m").exec(
        m,
      )?.[1] ?? 0,
    );
  const metrics = async () => (await h.inject({ method: "GET", url: "/metrics" })).body;
  const before = await metrics();
  const missing = `/v1/evidence/sha256:${"1".repeat(64)}`;
  assert.equal((await h.inject({ method: "GET", url: missing, headers: auth(admin) })).statusCode, 404);
  assert.equal((await h.inject({ method: "GET", url: "/v1/no-such-route" })).statusCode, 404);
  const after = await metrics();
  assert.equal(count(after, "/v1/evidence/:id", 404), count(before, "/v1/evidence/:id", 404) + 1);
  assert.equal(count(after, "unmatched", 404), count(before, "unmatched", 404) + 1);
  assert.equal(count(after, "/metrics", 200), count(before, "/metrics", 200) + 1);
});
