/**
 * Shared helpers for the lifecycle tests (backup, restore, point-in-time
 * recovery, new chains, replicas): real lockers made with initLocker and
 * openVigil, real evidence through commitEvidence, real anchors, and the
 * real `bin/vigil` for the end-to-end parts.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after } from "node:test";
import { fileURLToPath } from "node:url";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { runVerification } from "../../src/app/verification.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence } from "../../src/domains/evidence/evidence-service.js";
import { inlineContents, type Ingested } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { Readable } from "node:stream";
import { createAnchor } from "../../src/log/anchors.js";
import type { StoredCheckpoint } from "../../src/storage/log-reader.js";

/** The real CLI. */
export const BIN = fileURLToPath(new URL("../../../bin/vigil", import.meta.url));

export function tempRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), `vigil-life-${prefix}-`));
  after(() => rmSync(root, { recursive: true, force: true }));
  return root;
}

export function newLocker(root: string, name = "locker"): Vigil {
  const data = join(root, name);
  initLocker(data, systemClock);
  return openVigil(data);
}

export interface Added {
  readonly id: string;
  readonly digest: Buffer;
  readonly leaf: number;
  readonly data: Buffer;
  readonly file: boolean;
}

/** Adds `n` artifacts of random bytes; every `fileEvery`-th one is above the inline limit (a file blob). */
export async function addArtifacts(v: Vigil, n: number, tag: string, fileEvery = 0): Promise<Added[]> {
  const meta = parseEvidenceMeta(
    { domain: "life", name: tag, date: "2026-11-23", kind: "test" },
    "test",
    v.config.retentionClasses,
  );
  const group: { contents: Ingested; meta: typeof meta; data: Buffer }[] = [];
  for (let i = 0; i < n; i++) {
    const large = fileEvery > 0 && i % fileEvery === fileEvery - 1;
    const data = randomBytes(large ? v.config.inlineLimit + 1000 + i : 200 + i);
    group.push({ contents: large ? await staged(v, data) : inlineContents(data), meta, data });
  }
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  const outcomes = await commitEvidence(deps, group);
  return outcomes.map((o, i) => {
    assert.equal(o.status, "added", `artifact ${i}: ${o.status} ${o.message ?? ""}`);
    const g = group[i] as (typeof group)[number];
    return {
      id: o.id,
      digest: g.contents.digest,
      leaf: o.leafIndex as number,
      data: g.data,
      file: g.contents.kind === "file",
    };
  });
}

async function staged(v: Vigil, data: Buffer): Promise<Ingested> {
  const s = await v.blobs.stage(Readable.from([data]));
  return { kind: "file", digest: s.digest, size: s.size, staged: s };
}

export async function anchor(v: Vigil): Promise<StoredCheckpoint> {
  const ctx = { log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock: v.clock };
  return (await createAnchor(ctx)).anchor;
}

/** Full verification through the same entry point `vigil verify --mode full` uses. */
export async function verifyFullPasses(v: Vigil, what: string): Promise<void> {
  const { report } = await runVerification(v, { mode: "full", sample: 0, seed: 0 });
  assert.equal(report.result, "passed", `${what}: ${JSON.stringify(report.findings.slice(0, 5))}`);
}

export async function readAll(v: Vigil, digest: Buffer): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await v.blobs.open(digest)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

export interface Cli {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** `vigil --data DATA ARGS...` without the caller's VIGIL_* settings. */
export function vigil(data: string, ...args: string[]): Cli {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.VIGIL_DATA;
  const r = spawnSync(process.execPath, [BIN, "--data", data, ...args], {
    encoding: "utf8",
    env,
    maxBuffer: 1 << 28,
    timeout: 120_000,
  });
  if (r.error !== undefined) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function json<T>(r: Cli, exit = 0): T {
  assert.equal(r.status, exit, `exit ${r.status}\n${r.stdout.slice(0, 3000)}\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}
