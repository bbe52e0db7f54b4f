/** GET /v1/audit/receipts: who saw what, scoped to the token's tenant unless it spans every tenant. */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { after, before, test } from "node:test";
import { auth, startHarness, upload, type Harness } from "./harness.js";

interface Audit {
  ok: boolean;
  receipts: { tenant: string; action: string; outcome: string; seq: number }[];
  runs: { state: string; receipts: number }[];
  gaps: unknown[] | null;
}

let h: Harness;
let everyTenant: string;
before(async () => {
  h = await startHarness();
  everyTenant = await h.token("auditor", "*", "all-auditor");
  for (const tenant of ["acme", "beta"]) {
    const admin = await h.token("admin", tenant);
    const body = Buffer.from(`report of ${tenant}`);
    assert.equal((await h.inject(upload(admin, body, { domain: "audit", name: "r" }))).statusCode, 201);
    const id = `sha256:${createHash("sha256").update(body).digest("hex")}`;
    assert.equal(
      (await h.inject({ method: "GET", url: `/v1/evidence/${id}`, headers: auth(admin) })).statusCode,
      200,
    );
  }
});
after(() => h.close());

const audit = (token: string, qs: string) =>
  h.inject({ method: "GET", url: `/v1/audit/receipts?${qs}`, headers: auth(token) });

void test("an every-tenant auditor sees every tenant's receipts, and the current run without gaps", async () => {
  const r = await audit(everyTenant, "since=1h&checkGaps=true");
  assert.equal(r.statusCode, 200, r.body);
  const a = r.json<Audit>();
  assert.deepEqual([a.ok, a.gaps], [true, []]);
  assert.deepEqual(
    a.receipts.map((x) => [x.tenant, x.action, x.seq]),
    [
      ["acme", "evidence.write", 1],
      ["acme", "evidence.read", 2],
      ["beta", "evidence.write", 3],
      ["beta", "evidence.read", 4],
    ],
  );
  assert.deepEqual(
    a.runs.map((x) => x.state),
    ["current"],
  );
  const beta = (await audit(everyTenant, "since=1h&tenant=beta")).json<Audit>();
  assert.deepEqual(new Set(beta.receipts.map((x) => x.tenant)), new Set(["beta"]));
});

void test("a tenant auditor sees its own tenant only; naming another is 403 and a receipt", async () => {
  const acme = await h.token("auditor", "acme", "acme-auditor");
  const own = (await audit(acme, "since=1h")).json<Audit>();
  assert.ok(own.receipts.length >= 2);
  assert.ok(own.receipts.every((x) => x.tenant === "acme"));
  const size = await h.journalSize();
  const other = await audit(acme, "since=1h&tenant=beta");
  assert.equal(other.statusCode, 403);
  assert.equal(await h.journalSize(), size + 1, "the refusal is a receipt");
  const seen = (await audit(everyTenant, "since=1h&tenant=acme")).json<Audit>().receipts;
  assert.deepEqual(
    seen.filter((x) => x.action === "audit.read").map((x) => x.outcome),
    ["allowed", "denied"],
  );
});

void test("roles without audit.read are refused; bad queries are 400 problems that write nothing", async () => {
  assert.equal((await audit(await h.token("viewer", "acme"), "since=1h")).statusCode, 403);
  assert.equal((await audit(await h.token("operator", "acme"), "since=1h")).statusCode, 403);
  const size = await h.journalSize();
  for (const qs of [
    "",
    "since=yesterday",
    "since=1h&until=2020-01-01",
    "since=1h&limit=0",
    "since=1h&extra=1",
  ]) {
    const r = await audit(everyTenant, qs);
    assert.equal(r.statusCode, 400, qs);
    assert.equal(r.json<{ code: string }>().code, "INPUT_INVALID");
  }
  assert.equal(await h.journalSize(), size);
});
