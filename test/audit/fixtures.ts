/**
 * Real lockers for the audit and diagnostics tests, on a clock the test
 * moves, so day boundaries are deterministic.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import type { Clock } from "../../src/clock.js";
import { commitEvidence, type AddOutcome } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { encodeRecord, type JournalRecord } from "../../src/journal/index.js";

/** A clock that stays where the test puts it. */
export interface TestClock extends Clock {
  set(iso: string): void;
}

export function testClock(iso: string): TestClock {
  let t = new Date(iso);
  return { now: () => t, set: (next) => (t = new Date(next)) };
}

/** A temporary directory removed after this test file. */
export function tempRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), `vigil-audit-${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function newLocker(root: string, clock: TestClock, name = "locker"): Vigil {
  const dir = join(root, name);
  initLocker(dir, clock);
  return openVigil(dir, { clock });
}

export interface AddSpec {
  readonly contents: string | Buffer;
  readonly labels?: Record<string, string>;
  readonly name?: string;
}

/** Commits the artifacts in one group at the clock's current time. */
export async function addEvidence(v: Vigil, specs: readonly AddSpec[]): Promise<AddOutcome[]> {
  const group = specs.map((s) => ({
    contents: inlineContents(Buffer.from(s.contents)),
    meta: parseEvidenceMeta(
      { domain: "audit", name: s.name ?? "artifact", date: "2026-03-01", labels: s.labels ?? {} },
      "test",
      v.config.retentionClasses,
    ),
  }));
  return commitEvidence({ log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll }, group);
}

/** Appends a record of another type (no projection), as the newer domains will. */
export async function appendRecord(v: Vigil, record: JournalRecord): Promise<number> {
  const { first } = await v.log.append([{ record, encoded: encodeRecord(record) }], projectAll);
  return first;
}
