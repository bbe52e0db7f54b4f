/** The receipt audit over hand-built journals: listing, windows, tenants, and every kind of hole. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessItem, serverLifeItem, type AccessEvent } from "../../src/domains/access/access-record.js";
import { auditReceipts, type Leaf } from "../../src/domains/access/receipt-audit.js";
import { parseReceiptQuery, type ReceiptQuery } from "../../src/domains/access/receipt-query.js";
import { VigilError } from "../../src/errors.js";

const NOW = new Date("2026-12-03T12:00:00Z");
const T = (min: number) => new Date(NOW.getTime() + min * 60_000);

function event(tenant: string, min: number): AccessEvent {
  return {
    at: T(min).toISOString(),
    tenant,
    token: `tok_${tenant}`,
    role: "auditor",
    action: "evidence.read",
    target: "sha256:00",
    outcome: "allowed",
    status: 200,
    requestId: `req_${min}`,
  };
}

/** A journal builder: records in order, leaf indices from 0. */
function journal() {
  const leaves: Leaf[] = [];
  const add = (record: Leaf["record"]) => leaves.push({ index: leaves.length, record });
  return {
    leaves,
    start: (s: string, min: number) => add(serverLifeItem("server.started", s, T(min)).record),
    stop: (s: string, min: number, lastSeq: number) =>
      add(serverLifeItem("server.stopped", s, T(min), lastSeq).record),
    receipt: (s: string, seq: number, tenant = "acme", min = 0) =>
      add(accessItem(event(tenant, min), s, seq).record),
  };
}

const q = (over: Partial<ReceiptQuery> = {}): ReceiptQuery => ({
  since: T(-60).toISOString(),
  until: null,
  tenant: null,
  checkGaps: true,
  limit: null,
  ...over,
});

void test("a clean trail: a stopped run and the current one, numbered 1..n, lists every receipt", () => {
  const j = journal();
  j.start("srv_a", 0);
  [1, 2, 3].forEach((n) => j.receipt("srv_a", n, n === 2 ? "beta" : "acme", n));
  j.stop("srv_a", 4, 3);
  j.start("srv_b", 5);
  j.receipt("srv_b", 1, "acme", 6);
  const a = auditReceipts(j.leaves, q());
  assert.deepEqual(a.gaps, []);
  assert.equal(a.ok, true);
  assert.deepEqual(
    a.receipts.map((r) => [r.server, r.seq, r.tenant, r.leaf]),
    [
      ["srv_a", 1, "acme", 1],
      ["srv_a", 2, "beta", 2],
      ["srv_a", 3, "acme", 3],
      ["srv_b", 1, "acme", 6],
    ],
  );
  assert.deepEqual(
    a.runs.map((r) => [r.server, r.receipts, r.state]),
    [
      ["srv_a", 3, "stopped"],
      ["srv_b", 1, "current"],
    ],
  );
});

void test("the window and the tenant narrow the listing, never the gap check", () => {
  const j = journal();
  j.start("srv_a", 0);
  [1, 2, 3, 4].forEach((n) => j.receipt("srv_a", n, n % 2 === 0 ? "beta" : "acme", n * 10));
  const a = auditReceipts(
    j.leaves,
    q({ since: T(15).toISOString(), until: T(40).toISOString(), tenant: "beta" }),
  );
  assert.deepEqual(
    a.receipts.map((r) => r.seq),
    [2],
  );
  assert.deepEqual(a.gaps, []);
  const limited = auditReceipts(j.leaves, q({ limit: 3 }));
  assert.deepEqual([limited.receipts.length, limited.truncated], [3, true]);
  const before = auditReceipts(j.leaves, q({ since: T(-90).toISOString(), until: T(-1).toISOString() }));
  assert.deepEqual(
    [before.receipts.length, before.runs.length],
    [0, 0],
    "a run that starts after until is not in the window",
  );
});

void test("holes are named: missing numbers, repeats, a run that never stopped, a stop that disagrees", () => {
  const j = journal();
  j.start("srv_a", 0);
  [1, 2, 5, 5, 6].forEach((n) => j.receipt("srv_a", n));
  j.start("srv_b", 10);
  j.receipt("srv_b", 1);
  j.stop("srv_b", 11, 3);
  j.receipt("srv_b", 2);
  j.receipt("srv_orphan", 1);
  j.start("srv_c", 20);
  j.receipt("srv_c", 2);
  const a = auditReceipts(j.leaves, q());
  assert.equal(a.ok, false);
  assert.deepEqual(a.gaps, [
    { server: "srv_a", problem: "receipts seq 3..4 are missing" },
    { server: "srv_a", problem: "receipt seq 5 at leaf 4 repeats or goes back (expected 6)" },
    {
      server: "srv_a",
      problem:
        "never stopped: no server.stopped after its start at 2026-12-03T12:00:00.000Z (the process died?)",
    },
    { server: "srv_b", problem: "receipt seq 2 at leaf 9 comes after server.stopped" },
    { server: "srv_b", problem: "receipt seq 3 is missing" },
    { server: "srv_orphan", problem: "has receipts or a stop but no server.started record" },
    {
      server: "srv_orphan",
      problem: "never stopped: no server.stopped after its start at ? (the process died?)",
    },
    { server: "srv_c", problem: "receipt seq 1 is missing" },
  ]);
  assert.equal(auditReceipts(j.leaves, q({ checkGaps: false })).gaps, null);
});

void test("parseReceiptQuery: days, zoned date-times and durations; every bad field named at once", () => {
  assert.equal(parseReceiptQuery({ since: "24h" }, NOW).since, "2026-12-02T12:00:00.000Z");
  assert.equal(parseReceiptQuery({ since: "2026-12-01" }, NOW).since, "2026-12-01T00:00:00.000Z");
  assert.equal(parseReceiptQuery({ since: "2026-12-01T08:00+02:00" }, NOW).since, "2026-12-01T06:00:00.000Z");
  const e = (raw: object) => {
    try {
      parseReceiptQuery(raw, NOW);
    } catch (x) {
      assert.ok(x instanceof VigilError && x.code === "INPUT_INVALID");
      return x.message;
    }
    assert.fail("accepted");
  };
  assert.match(e({}), /since is required/);
  const many = e({
    since: "yesterday",
    until: "2026-12-01T08:00",
    tenant: "Bad Tenant",
    limit: 0,
    checkGaps: "yes",
  });
  for (const want of [
    /since must be/,
    /until must be/,
    /tenant must match/,
    /limit must be/,
    /checkGaps must be/,
  ])
    assert.match(many, want);
  assert.match(e({ since: "2026-12-02", until: "2026-12-01" }), /until must be later/);
});
