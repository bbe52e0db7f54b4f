/**
 * Two `vigil serve` processes over one PostgreSQL database, both taking
 * uploads at once over real HTTP: every 201 is in the journal exactly once,
 * the leaves are gap-free, every anchor either server signed is consistent
 * with the rest, the log passes full verification, and both serve reads.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { openLocker } from "../../../src/app/open-locker.js";
import { verifyLocker } from "../../../src/app/verification.js";
import { serve, type Served } from "../../crash/crash-helpers.js";
import { createTestDatabase, pgUnreachable } from "../../storage/pg-test-db.js";
import { assertJournalSound, pgLockerWithAdmin } from "./journal-checks.js";

const PER_SERVER = 150;
const idOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

async function upload(s: Served, token: string, body: Buffer, name: string): Promise<Response> {
  return fetch(`${s.url}/v1/evidence?domain=multi&name=${name}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/octet-stream", authorization: `Bearer ${token}` },
  });
}

void test("two server processes on one PostgreSQL database accept writes at once", async () => {
  assert.equal(await pgUnreachable(), null);
  const db = await createTestDatabase();
  const root = mkdtempSync(join(tmpdir(), "vigil-two-servers-"));
  const servers: Served[] = [];
  try {
    const data = join(root, "locker");
    const token = pgLockerWithAdmin(data, db.url);
    const config = join(root, "serve.json");
    writeFileSync(config, JSON.stringify({ anchorIntervalMs: 200 }));
    servers.push(await serve(data, config), await serve(data, config));
    // Distinct contents on each server, and the same contents sent to both (one of them wins, the other "exists").
    const shared = Array.from({ length: 20 }, () => randomBytes(300));
    const jobs = servers.flatMap((s, k) => [
      ...Array.from({ length: PER_SERVER }, (_, i) => ({
        s,
        body: randomBytes(k === 0 ? 700 : 900),
        name: `s${k}n${i}`,
      })),
      ...shared.map((body, i) => ({ s, body, name: `shared${i}` })),
    ]);
    const answers = await Promise.all(
      jobs.map(async (j) => ({ ...j, r: await upload(j.s, token, j.body, j.name) })),
    );
    const acked = new Map<string, Buffer>();
    for (const a of answers) {
      assert.ok([200, 201].includes(a.r.status), `${a.r.status} ${await a.r.text()}`);
      acked.set(idOf(a.body), a.body);
    }
    assert.equal(acked.size, 2 * PER_SERVER + shared.length);
    for (const [id, body] of [...acked].slice(0, 40))
      for (const s of servers) {
        const got = await fetch(`${s.url}/v1/evidence/${id}`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(got.status, 200, id);
        assert.deepEqual(Buffer.from(await got.arrayBuffer()), body);
      }
    for (const s of servers) s.child.kill("SIGTERM");
    await Promise.all(servers.map((s) => s.exited));
    servers.length = 0;
    const l = await openLocker(data);
    try {
      await assertJournalSound(l, [...acked.keys()]);
      const report = await verifyLocker(l, { mode: "full", sample: 0, seed: 0 });
      assert.equal(report.result, "passed", JSON.stringify(report.findings.slice(0, 5)));
      assert.ok(report.counts.anchors >= 2, "both servers signed anchors");
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
