/**
 * Shared set-up for the pack tests: a real SQLite locker with a small
 * provenance DAG, inline and file contents, and two anchors; helpers to
 * export, read back and verify packs, and to snapshot directories.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initLocker } from "../../src/app/init-locker.js";
import { generateKeyPair } from "../../src/app/keys-file.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil, type Vigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { commitEvidence, type Candidate } from "../../src/domains/evidence/evidence-service.js";
import { ingestFile, inlineContents } from "../../src/domains/evidence/ingest.js";
import { parseEvidenceMeta, type RawEvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { createAnchor } from "../../src/log/anchors.js";
import { exportPack, type ExportResult } from "../../src/packs/export-pack.js";
import { DEFAULT_LIMITS, type PackLimits } from "../../src/packs/pack-files.js";
import type { PackSelection } from "../../src/packs/select-artifacts.js";
import { verifyPackFile, type PackReport } from "../../src/packs/verify-pack.js";

export function tempRoot(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `vigil-packs-${prefix}-`));
}

export function removeRoot(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

export function sha256hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

export interface Fixture {
  readonly root: string;
  readonly data: string;
  readonly v: Vigil;
  /** Artifact ids by name: base, derived (parent base), report (parent derived), other, large. */
  readonly ids: Readonly<Record<string, string>>;
  /** The first anchor's signed note (covers base and derived only). */
  readonly firstAnchor: string;
}

export async function addArtifact(v: Vigil, data: Buffer, raw: RawEvidenceMeta): Promise<string> {
  const meta = parseEvidenceMeta({ date: "2026-03-01", ...raw }, "test", v.config.retentionClasses);
  return commit(v, { contents: inlineContents(data), meta });
}

async function commit(v: Vigil, c: Candidate): Promise<string> {
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  const [o] = await commitEvidence(deps, [c]);
  if (o === undefined || o.status !== "added") throw new Error(`not added: ${JSON.stringify(o)}`);
  return o.id;
}

export async function anchor(v: Vigil): Promise<string> {
  const ctx = { log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock: v.clock };
  return (await createAnchor(ctx)).anchor.note;
}

/** A locker: base <- derived <- report (provenance), other, and a large (file blob) artifact. */
export async function buildFixture(prefix: string): Promise<Fixture> {
  const root = tempRoot(prefix);
  const data = join(root, "locker");
  initLocker(data, systemClock);
  const v = openVigil(data);
  const ids: Record<string, string> = {};
  ids.base = await addArtifact(v, Buffer.from('{"scan":"base"}\n'), {
    domain: "security",
    name: "base",
    kind: "scan",
  });
  ids.derived = await addArtifact(v, Buffer.from("derived findings\n"), {
    domain: "security",
    name: "derived",
    kind: "finding",
    parents: [ids.base],
  });
  const firstAnchor = await anchor(v);
  ids.report = await addArtifact(v, Buffer.from("report\n"), {
    domain: "security",
    name: "report",
    kind: "report",
    labels: { team: "red" },
    parents: [ids.derived],
  });
  ids.other = await addArtifact(v, Buffer.from("other\n"), {
    domain: "ops",
    name: "other",
    kind: "drill-report",
  });
  const bigPath = join(root, "big.bin");
  writeFileSync(bigPath, Buffer.alloc(200_000, "evidence-"));
  const meta = parseEvidenceMeta(
    { domain: "ops", name: "big", date: "2026-03-02", kind: "dump" },
    "test",
    v.config.retentionClasses,
  );
  ids.large = await commit(v, { contents: await ingestFile(bigPath, v.config.inlineLimit, v.blobs), meta });
  await anchor(v);
  return { root, data, v, ids, firstAnchor };
}

export function exportTo(
  v: Vigil,
  selection: PackSelection,
  output: string,
  includeDeps = false,
): Promise<ExportResult> {
  return exportPack(v, { selection, includeDeps, output });
}

export async function verifyAt(
  input: string,
  trustedKey: string,
  since: string | null = null,
  limits: PackLimits = DEFAULT_LIMITS,
): Promise<PackReport> {
  return verifyPackFile(
    input,
    { trustedKey, since: since === null ? null : { name: "since.note", note: since } },
    limits,
  );
}

/** A fresh verifier key with the same name as the locker's, so only the key material differs. */
export function otherVerifierKey(name: string): string {
  return generateKeyPair(name).verifierKey;
}

/** Every path under `dir` (recursively) with its size: to prove nothing was written. */
export function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const n of readdirSync(join(dir, rel))) {
      const p = rel === "" ? n : `${rel}/${n}`;
      const st = statSync(join(dir, p), { throwIfNoEntry: false });
      out.push(`${p} ${st?.isDirectory() ? "dir" : (st?.size ?? "?")}`);
      if (st?.isDirectory()) walk(p);
    }
  };
  walk("");
  return out.sort();
}

/** Runs a program, returning status and output (GNU tar, sha256sum). */
export function sh(
  cmd: string,
  args: readonly string[],
  cwd?: string,
): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Extracts a .tar.gz with GNU tar into a new directory. */
export function gnuExtract(tarball: string, into: string): void {
  const r = sh("tar", ["-xzf", tarball, "-C", into]);
  if (r.status !== 0) throw new Error(`tar -xzf failed: ${r.out}`);
}

export function readText(path: string): string {
  return readFileSync(path, "utf8");
}

/** Recomputes SHA256SUMS after an edit: what an attacker who edits a pack would also do. */
export function reseal(dir: string): void {
  const sums = readText(join(dir, "SHA256SUMS"))
    .trim()
    .split("\n")
    .map((l) => l.slice(66))
    .map((p) => `${sha256hex(readFileSync(join(dir, p)))}  ${p}\n`)
    .join("");
  writeFileSync(join(dir, "SHA256SUMS"), sums);
}

/** Changes the first letter or digit of `path` at or after `at` to another of its class (keeps base64 valid). */
export function flipChar(path: string, at: number): number {
  const b = readFileSync(path);
  let i = at;
  while (i < b.length && !/[A-Za-z0-9]/.test(String.fromCharCode(b[i] as number))) i++;
  const c = String.fromCharCode(b[i] as number);
  const swap = /[A-Z]/.test(c)
    ? c === "A"
      ? "B"
      : "A"
    : /[a-z]/.test(c)
      ? c === "a"
        ? "b"
        : "a"
      : c === "0"
        ? "1"
        : "0";
  b[i] = swap.charCodeAt(0);
  writeFileSync(path, b);
  return i;
}
