import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import Database from "better-sqlite3";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { runVerification } from "../../src/app/verification.js";
import { openVigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { createAnchor } from "../../src/log/anchors.js";
import { SCHEMA_VERSION } from "../../src/storage/sqlite/schema.js";

void test("a version-1 locker is migrated in place on open: data kept, new tables present, verification passes", async () => {
  const root = mkdtempSync(join(tmpdir(), "vigil-migrate-"));
  try {
    const dir = join(root, "l");
    initLocker(dir, systemClock);
    let v = openVigil(dir);
    const meta = parseEvidenceMeta(
      { domain: "m", name: "x", date: "2026-01-01" },
      "t",
      v.config.retentionClasses,
    );
    await commitEvidence({ log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll }, [
      { contents: inlineContents(Buffer.from("v1 data")), meta },
    ]);
    const anchor = await createAnchor({
      log: v.log,
      signer: v.signer,
      verifier: v.verifier,
      origin: v.config.origin,
      clock: v.clock,
    });
    await v.close();
    // Turn it back into a version-1 database: what a locker made before v2 (and v3) looks like.
    const db = new Database(join(dir, "vigil.db"));
    db.exec(
      `DROP TABLE holds; DROP TABLE evidence_state; ALTER TABLE checkpoints DROP COLUMN segment;
       DROP TABLE tokens; DROP INDEX evidence_by_dkey; DROP INDEX evidence_by_domain; DROP INDEX evidence_by_kind;
       ALTER TABLE evidence DROP COLUMN tenant; PRAGMA user_version = 1;`,
    );
    db.close();
    v = openVigil(dir);
    const raw = new Database(join(dir, "vigil.db"), { readonly: true });
    assert.equal(raw.pragma("user_version", { simple: true }), SCHEMA_VERSION);
    assert.equal(raw.prepare("SELECT count(*) AS n FROM holds").get()?.constructor, Object);
    assert.equal(raw.prepare("SELECT count(*) AS n FROM tokens").get()?.constructor, Object);
    assert.deepEqual(raw.prepare("SELECT tenant FROM evidence").pluck().all(), ["default"]);
    raw.close();
    assert.equal(await v.log.size(), 1);
    assert.deepEqual((await v.log.latestCheckpoint())?.root, anchor.anchor.root);
    assert.equal((await v.log.latestCheckpoint())?.segment, 1);
    const { report } = await runVerification(v, { mode: "full", sample: 0, seed: 0 });
    assert.equal(report.result, "passed");
    await v.close();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
