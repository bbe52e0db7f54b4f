/**
 * PostgreSQL connections terminated in the middle of an upload burst from
 * two server processes: requests that hit the outage get 503 with
 * Retry-After and code STORAGE_UNAVAILABLE, every 201 is in the journal
 * exactly once, the servers take writes again on their own, and the log
 * passes full verification.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { openLocker } from "../../../src/app/open-locker.js";
import { verifyLocker } from "../../../src/app/verification.js";
import { serve, type Served } from "../../crash/crash-helpers.js";
import { adminQuery, createTestDatabase, pgUnreachable } from "../../storage/pg-test-db.js";
import { assertJournalSound, pgLockerWithAdmin } from "./journal-checks.js";

const WORKERS = 6;
const idOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

interface Tally {
  readonly acked: string[];
  unavailable: number;
}

async function uploadOnce(s: Served, token: string, t: Tally): Promise<number> {
  const body = randomBytes(600);
  const r = await fetch(`${s.url}/v1/evidence?domain=outage&name=n`, {
    method: "POST",
    body,
    headers: { "content-type": "application/octet-stream", authorization: `Bearer ${token}` },
  });
  const text = await r.text();
  if (r.status === 201) t.acked.push(idOf(body));
  else {
    assert.equal(r.status, 503, text);
    assert.equal(r.headers.get("retry-after"), "1");
    assert.equal((JSON.parse(text) as { code: string }).code, "STORAGE_UNAVAILABLE");
    t.unavailable++;
  }
  return r.status;
}

/** Terminates every connection to the database `times` times, 400 ms apart, while the burst runs. */
async function outages(dbName: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await sleep(400);
    await adminQuery("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1", [dbName]);
  }
}

void test("terminated PostgreSQL connections mid-burst: 503 + Retry-After, no lost 201, recovery", async () => {
  assert.equal(await pgUnreachable(), null);
  const db = await createTestDatabase();
  const root = mkdtempSync(join(tmpdir(), "vigil-pg-outage-"));
  const servers: Served[] = [];
  try {
    const data = join(root, "locker");
    const token = pgLockerWithAdmin(data, db.url);
    const config = join(root, "serve.json");
    writeFileSync(config, JSON.stringify({ anchorIntervalMs: 300 }));
    servers.push(await serve(data, config), await serve(data, config));
    const t: Tally = { acked: [], unavailable: 0 };
    let running = true;
    const workers = Array.from({ length: WORKERS }, async (_, w) => {
      for (let n = 0; running; n++) await uploadOnce(servers[w % 2] as Served, token, t);
    });
    await outages(db.name, 4);
    running = false;
    await Promise.all(workers);
    assert.ok(t.unavailable > 0, "the outages were seen by clients");
    // Recovery without a restart: both servers take writes again.
    for (const s of servers) {
      let status = 0;
      for (let i = 0; i < 20 && status !== 201; i++) status = await uploadOnce(s, token, t);
      assert.equal(status, 201);
    }
    for (const s of servers) s.child.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    servers.length = 0;
    const l = await openLocker(data);
    try {
      await assertJournalSound(l, t.acked);
      const report = await verifyLocker(l, { mode: "full", sample: 0, seed: 0 });
      assert.equal(report.result, "passed", JSON.stringify(report.findings.slice(0, 5)));
    } finally {
      await l.close();
    }
  } finally {
    for (const s of servers) s.child.kill("SIGKILL");
    await Promise.all(servers.map((s) => s.exited));
    rmSync(root, { recursive: true, force: true });
    await db.drop();
  }
});
