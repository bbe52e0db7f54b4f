/**
 * A locker backed by PostgreSQL, end to end: `vigil init --database-url`,
 * evidence and an anchor through openLocker()'s ports, the database bound to
 * its locker, port-only CLI commands on it, and a clear refusal from commands
 * that are SQLite-only so far.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { initPostgresLocker, openLocker } from "../../src/app/open-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { VigilError } from "../../src/errors.js";
import { openNote, parseVerifierKey } from "../../src/journal/index.js";
import { createAnchor } from "../../src/log/anchors.js";
import { describe, run, vigil } from "../cli/cli-helpers.js";
import { createTestDatabase, pgUnreachable } from "./pg-test-db.js";

const unreachable = await pgUnreachable();
const skip = unreachable !== null && process.env.CI !== "true" ? unreachable : false;
const isCode = (code: string) => (e: unknown) => e instanceof VigilError && e.code === code;

void test(
  "postgres: vigil init --database-url makes a locker whose journal is in PostgreSQL",
  { skip },
  async () => {
    assert.equal(unreachable, null, unreachable ?? "");
    const db = await createTestDatabase();
    const root = mkdtempSync(join(tmpdir(), "vigil-pg-locker-"));
    try {
      const dir = join(root, "l");
      const init = run(["--data", dir, "--json", "init", "--database-url", db.url]);
      assert.equal(init.status, 0, describe(init));
      const config = JSON.parse(readFileSync(join(dir, "vigil.json"), "utf8")) as { databaseUrl: string };
      assert.equal(config.databaseUrl, db.url);
      assert.equal(existsSync(join(dir, "vigil.db")), false, "no SQLite database");

      const v = await openLocker(dir);
      assert.equal(v.backend, "postgres");
      const meta = parseEvidenceMeta(
        { domain: "d", name: "n", date: "2026-01-01" },
        "t",
        v.config.retentionClasses,
      );
      const [out] = await commitEvidence(
        { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll },
        [{ contents: inlineContents(Buffer.from("in postgres")), meta }],
      );
      assert.equal(out?.status, "added");
      const { anchor } = await createAnchor({ ...v, origin: v.config.origin });
      await v.close();
      const again = await openLocker(dir);
      assert.equal(await again.log.size(), 1);
      assert.equal((await again.log.latestCheckpoint())?.note, anchor.note);
      assert.doesNotThrow(
        () => openNote(anchor.note, [parseVerifierKey(again.verifierKey)]),
        "signed by the locker",
      );
      await again.close();

      assert.throws(() => openVigil(dir), isCode("UNSUPPORTED"));
      // Port-only commands work on it; SQLite-only ones refuse clearly.
      const list = vigil(dir, "--json", "evidence", "list");
      assert.equal(list.status, 0, describe(list));
      assert.equal((JSON.parse(list.stdout) as unknown[]).length, 1);
      const verify = vigil(dir, "--json", "verify", "--mode", "full");
      assert.equal(verify.status, 0, describe(verify));
      assert.equal((JSON.parse(verify.stdout) as { result: string }).result, "passed");
      const doctor = vigil(dir, "doctor");
      // doctor works on PostgreSQL since its storage check became a port method (quickCheck).
      assert.equal(doctor.status, 0, describe(doctor));
      assert.match(doctor.stdout, /ok\s+storage\s+database quick check ok/);

      // The database is this locker's: a second locker may not share it.
      await assert.rejects(
        initPostgresLocker(join(root, "other"), systemClock, db.url),
        isCode("LOCKER_EXISTS"),
      );
      assert.equal(existsSync(join(root, "other")), false);
      const withPassword = new URL(db.url);
      withPassword.password = "s3cret";
      const bad = run(["--data", join(root, "p"), "init", "--database-url", withPassword.toString()]);
      assert.equal(bad.status, 5, describe(bad));
      assert.doesNotMatch(bad.stderr + bad.stdout, /s3cret/);
    } finally {
      rmSync(root, { recursive: true, force: true });
      await db.drop();
    }
  },
);
