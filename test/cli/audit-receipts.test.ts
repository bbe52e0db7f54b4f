/**
 * `vigil audit receipts` on real journals: receipts written by the server's
 * own JournalWriter pass --check-gaps; a journal with a receipt number
 * skipped (appended directly, as damage or a lost write would leave it)
 * fails with exit 1 and names the hole.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { projectAll } from "../../src/app/projection.js";
import { openLocker } from "../../src/app/open-locker.js";
import { accessItem, type AccessEvent } from "../../src/domains/access/access-record.js";
import { receiptItems } from "../../src/domains/access/receipts-record.js";
import { JournalWriter } from "../../src/server/journal-writer.js";
import { copyLocker, expectError, expectJson, newLocker, useTempRoot, vigil } from "./cli-helpers.js";

interface Audit {
  ok: boolean;
  receipts: { tenant: string; seq: number; server: string }[];
  runs: { server: string; receipts: number; state: string }[];
  gaps: { server: string; problem: string }[] | null;
}

const root = useTempRoot("audit-receipts");
const data = newLocker(root);

function event(tenant: string, i: number): AccessEvent {
  return {
    at: new Date().toISOString(),
    tenant,
    token: "tok_test",
    role: "auditor",
    action: "evidence.read",
    target: `sha256:${String(i).padStart(64, "0")}`,
    outcome: "allowed",
    status: 200,
    requestId: `req_${i}`,
  };
}

/**
 * One server run through the real writer: started, n receipts (one at a time,
 * or `together`: queued at once, one group commit), stopped unless `crash`.
 */
async function serverRun(dir: string, n: number, crash = false, together = false): Promise<string> {
  const v = await openLocker(dir);
  const w = new JournalWriter({ log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll });
  await w.start();
  const tenant = (i: number) => (i % 2 === 0 ? "acme" : "beta");
  if (together) await Promise.all(Array.from({ length: n }, (_, i) => w.recordAccess(event(tenant(i), i))));
  else for (let i = 0; i < n; i++) await w.recordAccess(event(tenant(i), i));
  if (!crash) await w.close();
  await v.close();
  return w.serverId;
}

const first = await serverRun(data, 5);
const second = await serverRun(data, 3);

void test("receipts written by the server's writer: listed per tenant, and --check-gaps passes", () => {
  const a = expectJson<Audit>(vigil(data, "--json", "audit", "receipts", "--since", "1h", "--check-gaps"));
  assert.deepEqual([a.ok, a.gaps], [true, []]);
  assert.equal(a.receipts.length, 8);
  assert.deepEqual(
    a.runs.map((r) => [r.server, r.receipts, r.state]),
    [
      [first, 5, "stopped"],
      [second, 3, "stopped"],
    ],
  );
  const acme = expectJson<Audit>(
    vigil(data, "--json", "--tenant", "acme", "audit", "receipts", "--since", "1h"),
  );
  assert.deepEqual(
    acme.receipts.map((r) => [r.server === first ? 1 : 2, r.seq]),
    [
      [1, 1],
      [1, 3],
      [1, 5],
      [2, 1],
      [2, 3],
    ],
  );
  assert.equal(acme.gaps, null);
  const none = expectJson<Audit>(
    vigil(data, "--json", "audit", "receipts", "--since", "2020-01-01", "--until", "2020-01-02"),
  );
  assert.deepEqual([none.receipts.length, none.runs.length], [0, 0]);
});

void test("a deliberately gapped journal: exit 1, the missing number and the run named", async () => {
  const gapped = copyLocker(data, join(root, "gapped"));
  const run = await serverRun(gapped, 2, true);
  const v = await openLocker(gapped);
  const skipped = accessItem(event("acme", 9), run, 4); // 3 never written
  await v.log.append([skipped], projectAll);
  await v.close();
  await serverRun(gapped, 1); // a later run: the crashed one is no longer the current one
  const r = vigil(gapped, "audit", "receipts", "--since", "1h", "--check-gaps");
  assert.equal(r.status, 1, r.stdout);
  assert.match(
    r.stdout,
    new RegExp(`GAPS  2 found:\\n  ${run}: receipt seq 3 is missing\\n  ${run}: never stopped`),
  );
  const a = expectJson<Audit>(
    vigil(gapped, "--json", "audit", "receipts", "--since", "1h", "--check-gaps"),
    1,
  );
  assert.deepEqual(
    a.gaps?.map((g) => g.server),
    [run, run],
  );
});

void test("group-committed receipts beside old single ones; a lost group record is a missing range", async () => {
  const mixed = copyLocker(data, join(root, "mixed"));
  const grouped = await serverRun(mixed, 6, false, true);
  const ok = expectJson<Audit>(vigil(mixed, "--json", "audit", "receipts", "--since", "1h", "--check-gaps"));
  assert.deepEqual([ok.ok, ok.gaps], [true, []]);
  assert.deepEqual(
    ok.receipts.filter((r) => r.server === grouped).map((r) => [r.tenant, r.seq]),
    [
      ["acme", 1],
      ["acme", 2],
      ["acme", 3],
      ["beta", 4],
      ["beta", 5],
      ["beta", 6],
    ],
  );
  assert.deepEqual(
    ok.runs.map((r) => r.receipts),
    [5, 3, 6],
  );
  // A run whose second group's record never reached the journal: old-style receipt 1, group 2..3, then 6..7.
  const run = await serverRun(mixed, 0, true);
  const v = await openLocker(mixed);
  await v.log.append([accessItem(event("acme", 20), run, 1)], projectAll);
  await v.log.append(receiptItems([event("beta", 21), event("beta", 22)], run, 2), projectAll);
  await v.log.append(receiptItems([event("acme", 25), event("acme", 26)], run, 6), projectAll);
  await v.close();
  await serverRun(mixed, 1);
  const r = vigil(mixed, "audit", "receipts", "--since", "1h", "--check-gaps");
  assert.equal(r.status, 1, r.stdout);
  assert.match(
    r.stdout,
    new RegExp(`GAPS  2 found:\n  ${run}: receipts seq 4..5 are missing\n  ${run}: never stopped`),
  );
  const beta = expectJson<Audit>(
    vigil(mixed, "--json", "--tenant", "beta", "audit", "receipts", "--since", "1h"),
  );
  assert.deepEqual(
    beta.receipts.filter((x) => x.server === run).map((x) => x.seq),
    [2, 3],
  );
});

void test("the crashed run is fine while it is the latest one (it may still be running)", async () => {
  const live = copyLocker(data, join(root, "live"));
  const run = await serverRun(live, 2, true);
  const a = expectJson<Audit>(vigil(live, "--json", "audit", "receipts", "--since", "1h", "--check-gaps"));
  const last = a.runs.at(-1);
  assert.deepEqual([last?.server, last?.receipts, last?.state], [run, 2, "current"]);
  assert.deepEqual(a.gaps, []);
});

void test("bad input is a usage-level error naming the field, with nothing read", () => {
  expectError(vigil(data, "audit", "receipts", "--since", "last tuesday"), 5, /since must be an ISO 8601/);
  expectError(vigil(data, "audit", "receipts"), 2, /--since/);
  expectError(vigil(data, "--tenant", "Bad!", "audit", "receipts", "--since", "1h"), 5, /tenant must match/);
});
