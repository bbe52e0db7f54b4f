/**
 * Receipts group-committed: the requests of one commit share one
 * access.receipts record per tenant, numbered consecutively; no record
 * holds two tenants' events, so a tenant's listing, its leaves and the
 * record bytes an inclusion proof of them needs show nothing of another.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { runReceiptAudit } from "../../src/app/receipt-audit.js";
import type { AccessEvent } from "../../src/domains/access/access-record.js";
import { readReceipts } from "../../src/domains/access/receipts-record.js";
import { decodeRecord } from "../../src/journal/index.js";
import { auth, startHarness, upload, type Harness } from "./harness.js";

interface Audit {
  receipts: { tenant: string; leaf: number; requestId: string }[];
}

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

function event(tenant: string, i: number): AccessEvent {
  return {
    at: new Date().toISOString(),
    tenant,
    token: `tok_${tenant}`,
    role: "auditor",
    action: "evidence.read",
    target: `sha256:${String(i).padStart(64, "0")}`,
    outcome: "allowed",
    status: 200,
    requestId: `grp_${i}`,
  };
}

const recordAt = async (leaf: number) => {
  const [e] = await h.server.ctx.vigil.log.readEntries(leaf, leaf + 1);
  assert.ok(e !== undefined, `leaf ${leaf}`);
  return { bytes: e.bytes, record: decodeRecord(e.bytes) };
};

const everyTenantAudit = () =>
  runReceiptAudit(h.server.ctx.vigil.log, {
    since: "2000-01-01T00:00:00.000Z",
    until: null,
    tenant: null,
    checkGaps: true,
    limit: null,
  });

void test("receipts queued together are one record per tenant, numbered consecutively", async () => {
  const w = h.server.ctx.writer;
  const [size, seq] = [await h.journalSize(), w.receipts];
  const tenants = ["acme", "beta", "acme", "acme", "beta", "acme"];
  // Queued in one tick: the writer takes them as one group.
  await Promise.all(tenants.map((t, i) => w.recordAccess(event(t, i))));
  assert.equal(w.receipts, seq + 6);
  assert.equal(await h.journalSize(), size + 2, "one record for acme's four, one for beta's two");
  const [a, b] = [(await recordAt(size)).record, (await recordAt(size + 1)).record];
  assert.deepEqual(
    [a, b].map((r) => [r.type, r.tenant, r.firstSeq, readReceipts(r)?.events.map((e) => e.requestId)]),
    [
      ["access.receipts", "acme", seq + 1, ["grp_0", "grp_2", "grp_3", "grp_5"]],
      ["access.receipts", "beta", seq + 5, ["grp_1", "grp_4"]],
    ],
  );
  const audit = await everyTenantAudit();
  assert.deepEqual([audit.ok, audit.gaps], [true, []]);
  // One at a time, each is its own group and record.
  await w.recordAccess(event("acme", 7));
  await w.recordAccess(event("acme", 8));
  assert.equal(await h.journalSize(), size + 4);
  assert.equal((await recordAt(size + 3)).record.firstSeq, seq + 8);
});

void test("concurrent uploads and reads of two tenants: every receipt numbered once, no gaps", async () => {
  const admins = { acme: await h.token("admin", "acme"), beta: await h.token("admin", "beta") };
  const before = h.server.ctx.writer.receipts;
  const requests = (["acme", "beta"] as const).flatMap((t) =>
    Array.from({ length: 8 }, (_, i) =>
      i % 2 === 0
        ? h.inject(upload(admins[t], randomBytes(64), { domain: "grp", name: `n${i}` }))
        : h.inject({ method: "GET", url: `/v1/evidence/sha256:${"0".repeat(64)}`, headers: auth(admins[t]) }),
    ),
  );
  const statuses = (await Promise.all(requests)).map((r) => r.statusCode);
  assert.deepEqual(new Set(statuses), new Set([201, 404]));
  assert.equal(h.server.ctx.writer.receipts, before + 16);
  const audit = await everyTenantAudit();
  assert.deepEqual([audit.ok, audit.gaps], [true, []]);
  const seqs = audit.receipts.map((r) => r.seq).sort((x, y) => x - y);
  assert.deepEqual(
    seqs,
    seqs.map((_, i) => i + 1),
  );
});

void test("a tenant auditor's listing, leaves and their record bytes hold its own tenant's events only", async () => {
  const acmeAuditor = await h.token("auditor", "acme", "acme-grp-auditor");
  const r = await h.inject({ method: "GET", url: "/v1/audit/receipts?since=1h", headers: auth(acmeAuditor) });
  assert.equal(r.statusCode, 200, r.body);
  const rows = r.json<Audit>().receipts;
  assert.ok(
    rows.some((x) => x.requestId === "grp_0"),
    "the mixed group of the first test is listed",
  );
  assert.ok(rows.every((x) => x.tenant === "acme"));
  const all = await everyTenantAudit();
  const betaEvents = all.receipts.filter((x) => x.tenant === "beta");
  assert.ok(betaEvents.length >= 10);
  const acmeLeaves = new Set(rows.map((x) => x.leaf));
  for (const leaf of acmeLeaves) {
    const { bytes, record } = await recordAt(leaf);
    assert.equal(record.tenant, "acme");
    const text = bytes.toString("utf8");
    for (const b of betaEvents)
      assert.ok(
        !text.includes(`"requestId":${JSON.stringify(b.requestId)}`),
        `leaf ${leaf} holds a beta event`,
      );
  }
  // Every leaf of a beta event is another record than any of acme's.
  assert.ok(betaEvents.every((b) => !acmeLeaves.has(b.leaf)));
});
