/** Group commit and bulk ingest against the real embedded stores. */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { bulkIngest } from "../../src/domains/evidence/bulk-ingest.js";
import { commitEvidence, type AddOutcome } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta, type EvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { sha256 } from "../../src/journal/index.js";

const roots: string[] = [];
after(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function locker(): Vigil {
  const root = mkdtempSync(join(tmpdir(), "vigil-ingest-"));
  roots.push(root);
  initLocker(join(root, "l"), systemClock);
  return openVigil(join(root, "l"));
}

const meta = (v: Vigil, extra: Record<string, unknown> = {}): EvidenceMeta =>
  parseEvidenceMeta(
    { domain: "t", name: "a", date: "2026-01-01", ...extra },
    "test",
    v.config.retentionClasses,
  );
const deps = (v: Vigil) => ({ log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll });

void test("a group: new, duplicate-in-group, conflicting and orphan-parent items are classified; only new ones are written", async () => {
  const v = locker();
  const data = randomBytes(50);
  const other = randomBytes(50);
  const outcomes = await commitEvidence(deps(v), [
    { contents: inlineContents(data), meta: meta(v) },
    { contents: inlineContents(data), meta: meta(v) },
    { contents: inlineContents(data), meta: meta(v, { kind: "different" }) },
    { contents: inlineContents(other), meta: meta(v, { parents: ["c".repeat(64)] }) },
    {
      contents: inlineContents(other),
      meta: meta(v, { parents: [`sha256:${sha256(data).toString("hex")}`] }),
    },
  ]);
  assert.deepEqual(
    outcomes.map((o) => o.status),
    ["added", "exists", "conflict", "missing-parent", "added"],
  );
  assert.deepEqual(
    outcomes.map((o) => o.leafIndex),
    [0, null, null, null, 1],
  );
  assert.equal(await v.log.size(), 2);
  const again = await commitEvidence(deps(v), [{ contents: inlineContents(data), meta: meta(v) }]);
  assert.deepEqual([again[0]?.status, again[0]?.leafIndex], ["exists", 0]);
  assert.equal(await v.log.size(), 2);
  await v.close();
});

void test("bulk ingest acknowledges every group in order, once, after its commit", async () => {
  const v = locker();
  const payloads = Array.from({ length: 2500 }, (_, i) =>
    Buffer.from(`artifact ${i} ${randomBytes(8).toString("hex")}`),
  );
  const m = meta(v);
  const seen: AddOutcome[][] = [];
  const sizeAtAck: Promise<number>[] = [];
  const groups = [payloads.slice(0, 1000), payloads.slice(1000, 2000), payloads.slice(2000)].map((g) =>
    g.map((data) => ({ data, meta: m })),
  );
  await bulkIngest(deps(v), groups, {
    blobs: v.blobs,
    inlineLimit: v.config.inlineLimit,
    onCommitted: (o) => {
      seen.push([...o]);
      sizeAtAck.push(v.log.size()); // read synchronously from the database at acknowledgement
    },
  });
  assert.deepEqual(
    seen.map((g) => g.length),
    [1000, 1000, 500],
  );
  assert.deepEqual(
    await Promise.all(sizeAtAck),
    [1000, 2000, 2500],
    "a group was acknowledged before its commit",
  );
  const flat = seen.flat();
  assert.deepEqual(
    flat.map((o) => o.leafIndex),
    payloads.map((_, i) => i),
  );
  assert.deepEqual(
    flat.map((o) => o.id),
    payloads.map((p) => `sha256:${sha256(p).toString("hex")}`),
  );
  assert.equal(await v.log.size(), 2500);
  await v.close();
});

void test("bulk ingest stages contents above the inline limit as files", async () => {
  const v = locker();
  const big = randomBytes(v.config.inlineLimit + 1);
  await bulkIngest(deps(v), [[{ data: big, meta: meta(v) }]], {
    blobs: v.blobs,
    inlineLimit: v.config.inlineLimit,
    onCommitted: () => undefined,
  });
  const info = await v.blobs.stat(sha256(big));
  assert.equal(info?.inline, false);
  assert.equal(info?.size, big.length);
  assert.deepEqual(readdirSync(join(v.paths.blobs, "tmp")), []);
  await v.close();
});
