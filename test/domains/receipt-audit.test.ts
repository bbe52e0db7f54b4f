/** The receipt audit over hand-built journals: listing, windows, tenants, and every kind of hole. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { accessItem, serverLifeItem, type AccessEvent } from "../../src/domains/access/access-record.js";
import { auditReceipts, type Leaf } from "../../src/domains/access/receipt-audit.js";
import { parseReceiptQuery, type ReceiptQuery } from "../../src/domains/access/receipt-query.js";
import { readReceipts, receiptItems } from "../../src/domains/access/receipts-record.js";
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
    /** One group commit's access.receipts records, numbered from firstSeq. */
    group: (s: string, firstSeq: number, events: readonly AccessEvent[]) =>
      receiptItems(events, s, firstSeq).forEach((i) => add(i.record)),
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

void test("a group's events: one access.receipts record per tenant, each tenant's numbers one consecutive range", () => {
  const events = ["acme", "beta", "acme", "gamma", "beta", "acme"].map((t, i) => event(t, i));
  const items = receiptItems(events, "srv_a", 10);
  const runs = items.map((i) => readReceipts(i.record));
  assert.deepEqual(
    runs.map((r) => [r?.firstSeq, r?.events.map((e) => [e.tenant, e.requestId])]),
    [
      [
        10,
        [
          ["acme", "req_0"],
          ["acme", "req_2"],
          ["acme", "req_5"],
        ],
      ],
      [
        13,
        [
          ["beta", "req_1"],
          ["beta", "req_4"],
        ],
      ],
      [15, [["gamma", "req_3"]]],
    ],
  );
  for (const i of items) {
    assert.equal(i.record.type, "access.receipts");
    // The bytes a proof of this leaf needs name one tenant only.
    const text = i.encoded.bytes.toString("utf8");
    const tenants = ["acme", "beta", "gamma"].filter((t) => text.includes(`tok_${t}`));
    assert.deepEqual(tenants, [i.record.tenant]);
  }
  assert.deepEqual(readReceipts(items[0]?.record ?? { type: "x", v: 1 })?.events[1], events[2]);
});

void test("a group too large for one record is split, still numbered without gaps, every record within the limit", () => {
  // Control characters escape to six bytes each: ~1.3 KB an event, so 300 events need several records.
  const events = Array.from({ length: 300 }, (_, i) => ({
    ...event("acme", i),
    target: "\u0001".repeat(200),
  }));
  const items = receiptItems(events, "srv_a", 1);
  assert.ok(items.length >= 6, `${items.length} records`);
  let next = 1;
  for (const i of items) {
    assert.ok(i.encoded.bytes.length <= 65_535);
    const r = readReceipts(i.record);
    assert.equal(r?.firstSeq, next);
    next += r?.events.length ?? 0;
  }
  assert.equal(next, 301);
  const j = journal();
  j.start("srv_a", 0);
  j.group("srv_a", 1, events);
  const a = auditReceipts(j.leaves, q());
  assert.deepEqual([a.receipts.length, a.gaps, a.runs[0]?.receipts], [300, [], 300]);
});

void test("old access.receipt and new access.receipts records in one trail audit together", () => {
  const j = journal();
  j.start("srv_old", 0);
  j.receipt("srv_old", 1, "acme", 1);
  j.receipt("srv_old", 2, "beta", 2);
  j.stop("srv_old", 3, 2);
  j.start("srv_new", 4);
  j.receipt("srv_new", 1, "acme", 5); // a v1 receipt inside a run of batched ones
  j.group("srv_new", 2, [event("acme", 6), event("beta", 6), event("acme", 7)]);
  j.group("srv_new", 5, [event("beta", 8)]);
  j.stop("srv_new", 9, 5);
  const a = auditReceipts(j.leaves, q());
  assert.deepEqual(a.gaps, []);
  assert.deepEqual(
    a.receipts.map((r) => [r.server, r.seq, r.tenant, r.leaf, r.requestId]),
    [
      ["srv_old", 1, "acme", 1, "req_1"],
      ["srv_old", 2, "beta", 2, "req_2"],
      ["srv_new", 1, "acme", 5, "req_5"],
      ["srv_new", 2, "acme", 6, "req_6"],
      ["srv_new", 3, "acme", 6, "req_7"],
      ["srv_new", 4, "beta", 7, "req_6"],
      ["srv_new", 5, "beta", 8, "req_8"],
    ],
  );
  assert.deepEqual(
    a.runs.map((r) => [r.server, r.receipts, r.state]),
    [
      ["srv_old", 2, "stopped"],
      ["srv_new", 5, "stopped"],
    ],
  );
  const beta = auditReceipts(j.leaves, q({ tenant: "beta", since: T(6).toISOString() }));
  assert.deepEqual(
    beta.receipts.map((r) => [r.server, r.seq]),
    [
      ["srv_new", 4],
      ["srv_new", 5],
    ],
  );
});

void test("holes in batched numbering: a missing record is a missing range; overlaps, late and malformed records are named", () => {
  const j = journal();
  j.start("srv_a", 0);
  j.group("srv_a", 1, [event("acme", 1), event("acme", 1)]);
  j.group("srv_a", 6, [event("acme", 2), event("acme", 2)]); // 3..5 lost
  j.group("srv_a", 7, [event("acme", 3), event("acme", 3)]); // overlaps 7
  j.stop("srv_a", 4, 8);
  j.group("srv_a", 9, [event("acme", 5), event("acme", 5)]);
  j.start("srv_b", 10);
  j.group("srv_b", 1, [event("acme", 11)]);
  const bad = [
    { type: "access.receipts", v: 1, server: "srv_b", tenant: "acme", firstSeq: 2, events: [] },
    {
      type: "access.receipts",
      v: 1,
      server: "srv_b",
      tenant: "acme",
      firstSeq: 0,
      events: [event("acme", 12)],
    },
    { type: "access.receipts", v: 1, server: "srv_b", firstSeq: 2, events: [event("acme", 12)] },
    {
      type: "access.receipts",
      v: 1,
      server: "srv_b",
      tenant: "acme",
      firstSeq: 2,
      events: [{ ...event("acme", 12), status: "200" }],
    },
    {
      type: "access.receipts",
      v: 2,
      server: "srv_b",
      tenant: "acme",
      firstSeq: 2,
      events: [event("acme", 12)],
    },
  ];
  for (const r of bad) j.leaves.push({ index: j.leaves.length, record: r });
  j.group("srv_b", 2, [event("acme", 13)]);
  const a = auditReceipts(j.leaves, q());
  assert.deepEqual(a.gaps, [
    { server: "srv_a", problem: "receipts seq 9..10 at leaf 5 come after server.stopped" },
    { server: "srv_a", problem: "receipts seq 3..5 are missing" },
    { server: "srv_a", problem: "receipts seq 7..8 at leaf 3 repeat or go back (expected 8)" },
    { server: "srv_a", problem: "server.stopped says the last receipt was 8, but receipts run to 10" },
    ...[8, 9, 10, 11, 12].map((leaf) => ({
      server: "srv_b",
      problem: `access.receipts at leaf ${leaf} is malformed`,
    })),
  ]);
});
