/** Server lifecycle: automatic anchors, graceful shutdown with in-flight uploads, readiness. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { openLocker } from "../../src/app/open-locker.js";
import { auth, startHarness, upload } from "./harness.js";

void test("anchors are signed automatically while there are new records, and not otherwise", async () => {
  const h = await startHarness({ anchorIntervalMs: 100 });
  try {
    const t = await h.token("producer");
    const r = await h.inject(upload(t, randomBytes(50), { domain: "auto", name: "a" }));
    assert.equal(r.statusCode, 201);
    const leaf = r.json<{ leafIndex: number }>().leafIndex;
    const deadline = Date.now() + 3000;
    let cp = await h.server.ctx.vigil.log.latestCheckpoint();
    while ((cp === null || cp.size <= leaf) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
      cp = await h.server.ctx.vigil.log.latestCheckpoint();
    }
    assert.ok(cp !== null && cp.size > leaf, "the upload is covered by an automatic anchor");
    const seq = cp.seq;
    await new Promise((res) => setTimeout(res, 350));
    assert.equal(
      (await h.server.ctx.vigil.log.latestCheckpoint())?.seq,
      seq,
      "no new records, no new anchor",
    );
  } finally {
    await h.close();
  }
});

void test("graceful stop: every upload in flight is answered and durable, the stop is recorded, a final anchor covers all", async () => {
  const h = await startHarness();
  const t = await h.token("producer");
  const bodies = Array.from({ length: 40 }, () => randomBytes(200));
  const inflight = bodies.map((b, i) => h.inject(upload(t, b, { domain: "stop", name: `n${i}` })));
  const stopped = h.server.stop();
  const answers = await Promise.all(inflight);
  await stopped;
  const acked = answers.filter((a) => a.statusCode === 201).map((a) => a.json<{ id: string }>().id);
  for (const a of answers) assert.ok([201, 503].includes(a.statusCode), `${a.statusCode} ${a.body}`);
  const v = await openLocker(h.dataDir);
  try {
    const size = await v.log.size();
    const cp = await v.log.latestCheckpoint();
    assert.equal(cp?.size, size, "the final anchor covers the whole journal");
    const last = (await v.log.readEntries(size - 1, size))[0];
    assert.equal((JSON.parse(last?.bytes.toString() ?? "{}") as { type: string }).type, "server.stopped");
    for (const id of acked)
      assert.notEqual(await v.evidence.get(Buffer.from(id.slice(7), "hex"), "default"), null, id);
  } finally {
    await v.close();
    await h.close();
  }
});

void test("readyz reports not ready (503) once the writer is closed; healthz still answers", async () => {
  const h = await startHarness();
  try {
    await h.server.ctx.writer.close();
    const r = await h.inject({ method: "GET", url: "/readyz" });
    assert.equal(r.statusCode, 503);
    assert.equal(r.json<{ checks: { writes: string } }>().checks.writes, "shutting down");
    assert.equal((await h.inject({ method: "GET", url: "/healthz" })).statusCode, 200);
    const t = await h.token("producer");
    const u = await h.inject({
      ...upload(t, "late", { domain: "x", name: "y" }),
      headers: { ...auth(t), "content-type": "application/octet-stream" },
    });
    assert.equal(u.statusCode, 503, u.body);
  } finally {
    await h.close();
  }
});
