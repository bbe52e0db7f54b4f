import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initLocker } from "../src/app/init-locker.js";
import { projectAll } from "../src/app/projection.js";
import type { LockerPorts } from "../src/app/open-locker.js";
import { openVigil, type Vigil } from "../src/app/vigil.js";
import { createAnchor } from "../src/log/anchors.js";
import { systemClock } from "../src/clock.js";
import { bulkIngest, type BulkItem } from "../src/domains/evidence/bulk-ingest.js";
import { parseEvidenceMeta } from "../src/domains/evidence/metadata.js";

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(process.env.VIGIL_BENCH_DIR ?? tmpdir(), `vigil-bench-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function freshLocker(dir: string): Vigil {
  const data = join(dir, "locker");
  initLocker(data, systemClock);
  return openVigil(data);
}

/** Adds the payloads as evidence in groups of `batch` (durable group commits), on either backend. */
export async function ingest(v: LockerPorts, payloads: readonly Buffer[], batch = 1000): Promise<number> {
  const meta = parseEvidenceMeta(
    { domain: "bench", name: "artifact", date: "2026-11-23", kind: "bench" },
    "bench",
    v.config.retentionClasses,
  );
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  const groups: BulkItem[][] = [];
  for (let i = 0; i < payloads.length; i += batch)
    groups.push(payloads.slice(i, i + batch).map((data) => ({ data, meta })));
  const t0 = performance.now();
  await bulkIngest(deps, groups, {
    blobs: v.blobs,
    inlineLimit: v.config.inlineLimit,
    onCommitted: () => undefined,
  });
  return (performance.now() - t0) / 1000;
}

/** Wall-clock seconds of a shell command (the baselines: cp, sync, openssl). */
export function timeShell(cmd: string): number {
  const t0 = performance.now();
  execFileSync("sh", ["-c", cmd], { stdio: "ignore" });
  return (performance.now() - t0) / 1000;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Signs a checkpoint of everything ingested so far. */
export async function anchorNow(v: LockerPorts): Promise<void> {
  await createAnchor({
    log: v.log,
    signer: v.signer,
    verifier: v.verifier,
    origin: v.config.origin,
    clock: v.clock,
  });
}
