/**
 * The server's retrieval cache (RetrievalCache in SqliteEvidenceIndex): what
 * a GET answers must never lag a change to the artifact. What a bug would
 * break: serving contents after they expired, missing a corrupted mark made
 * by this process or by another one (a CLI beside the server), or a cache
 * that grows without bound.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { expire, markCorrupted } from "../../src/domains/evidence/lifecycle.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { RetrievalCache, FOREIGN_CHANGE_MS } from "../../src/storage/sqlite/retrieval-cache.js";
import { openDatabase } from "../../src/storage/sqlite/open-database.js";

const root = mkdtempSync(join(tmpdir(), "vigil-retrieval-cache-"));
after(() => rmSync(root, { recursive: true, force: true }));

let lockers = 0;
function server(): { v: Vigil; dir: string } {
  const dir = join(root, `l${lockers++}`);
  initLocker(dir, systemClock);
  return { v: openVigil(dir, { flushOffLoop: true }), dir };
}

const deps = (v: Vigil) => ({ log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll });

async function add(v: Vigil, text: string): Promise<Buffer> {
  const meta = parseEvidenceMeta(
    { domain: "d", name: "n", date: "2026-01-01" },
    "t",
    v.config.retentionClasses,
  );
  const c = inlineContents(Buffer.from(text));
  const [out] = await commitEvidence(deps(v), [{ contents: c, meta }]);
  assert.equal(out?.status, "added");
  return c.digest;
}

void test("a cached retrieval sees this process's corrupted mark and expiry at once", async () => {
  const { v } = server();
  const [a, b] = [await add(v, "kept for forensics"), await add(v, "to expire")];
  for (const d of [a, b]) {
    assert.equal((await v.evidence.retrieval(d, "default"))?.state, null);
    assert.ok(
      (await v.evidence.retrieval(d, "default"))?.inline !== null,
      "read twice: the second from the cache",
    );
  }
  await markCorrupted(deps(v), { digest: a, tenant: "default" }, "bit rot");
  const ra = await v.evidence.retrieval(a, "default");
  assert.equal(ra?.state?.state, "corrupted");
  assert.equal(ra?.inline?.toString(), "kept for forensics");

  const leaf = (await v.evidence.retrieval(b, "default"))?.leafIndex as number;
  const due = [{ digest: b, leafIndex: leaf, retention: "operational", date: "2026-01-01", size: 9 }];
  await expire(deps(v), due, () => Promise.resolve(false));
  const rb = await v.evidence.retrieval(b, "default");
  assert.equal(rb?.state?.state, "expired");
  assert.equal(rb?.inline, null, "expired contents are never served from memory");
  await v.close();
});

void test("a change committed by another connection is seen within FOREIGN_CHANGE_MS", async () => {
  const { v, dir } = server();
  const d = await add(v, "watched from afar");
  assert.equal((await v.evidence.retrieval(d, "default"))?.state, null);
  const other = openVigil(dir); // a second process's connection (a CLI beside the server)
  await markCorrupted(deps(other), { digest: d, tenant: "default" }, "found by a CLI");
  await other.close();
  await sleep(FOREIGN_CHANGE_MS + 5);
  assert.equal((await v.evidence.retrieval(d, "default"))?.state?.state, "corrupted");
  await v.close();
});

void test("only inline answers are kept, per tenant, and the cache stays bounded", async () => {
  const db = openDatabase(join(root, "bounded.db"), { create: true, synchronous: "NORMAL" });
  const cache = new RetrievalCache(db, () => 0);
  const answer = (n: number) => ({ leafIndex: n, state: null, inline: Buffer.alloc(100 * 1024, n) });
  cache.set("none", { leafIndex: 0, state: null, inline: null });
  assert.equal(cache.get("none"), undefined, "a file-backed or contents-less answer is read each time");
  for (let i = 0; i < 400; i++) cache.set(`t\0${i}`, answer(i));
  assert.ok(cache.size <= (16 << 20) / (100 * 1024), `${cache.size} entries of 100 KiB exceed 16 MiB`);
  assert.equal(cache.get("t\u00000"), undefined, "the oldest went first");
  assert.equal(cache.get("t\u0000399")?.leafIndex, 399);
  assert.equal(cache.get("u\u0000399"), undefined, "another tenant's key is another entry");
  db.close();
});
