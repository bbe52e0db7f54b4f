import { canonicalize } from "../journal/index.js";
import { commitEvidence } from "../domains/evidence/evidence-service.js";
import { inlineContents } from "../domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../domains/evidence/metadata.js";
import { verifyFull, type VerifyDeps, type VerifyOutcome } from "../verify/full.js";
import { verifyQuick } from "../verify/quick.js";
import type { VerifyReport } from "../verify/report.js";
import { projectAll } from "./projection.js";
import type { Vigil } from "./vigil.js";

export interface VerifyRequest {
  readonly mode: "quick" | "full";
  readonly sample: number;
  readonly seed: number;
}

export function verifyDeps(v: Vigil): VerifyDeps {
  return {
    dbPath: v.paths.database,
    log: v.log,
    blobs: v.blobs,
    evidence: v.evidence,
    verifier: v.verifier,
    origin: v.config.origin,
  };
}

/** Runs a verification and stores its report as evidence (kind verification-report). */
export async function runVerification(
  v: Vigil,
  req: VerifyRequest,
  onProgress?: (stage: string, n: number) => void,
): Promise<{ report: VerifyReport; reportId: string | null }> {
  const started = v.clock.now();
  const t0 = process.hrtime.bigint();
  const journalSize = await v.log.size();
  const outcome: VerifyOutcome =
    req.mode === "full"
      ? await verifyFull(verifyDeps(v), onProgress)
      : await verifyQuick(verifyDeps(v), req.sample, req.seed);
  const report: VerifyReport = {
    format: "vigil.verify-report",
    v: 1,
    mode: req.mode,
    lockerId: v.config.lockerId,
    journalSize,
    sample: req.mode === "quick" ? req.sample : null,
    seed: req.mode === "quick" ? req.seed : null,
    startedAt: started.toISOString(),
    finishedAt: v.clock.now().toISOString(),
    seconds: Number(process.hrtime.bigint() - t0) / 1e9,
    result: outcome.findings.length === 0 ? "passed" : "failed",
    counts: outcome.counts,
    findings: outcome.findings,
    expected: outcome.expected,
  };
  return { report, reportId: await storeReport(v, report) };
}

async function storeReport(v: Vigil, report: VerifyReport): Promise<string | null> {
  const meta = parseEvidenceMeta(
    {
      domain: "vigil",
      subdomain: "verification",
      name: `verify-${report.mode}`,
      date: report.finishedAt.slice(0, 10),
      kind: "verification-report",
      labels: { mode: report.mode, result: report.result },
      retention: "audit",
      producer: "vigil verify",
    },
    "verification report",
    v.config.retentionClasses,
  );
  try {
    const [o] = await commitEvidence(
      { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll },
      [{ contents: inlineContents(Buffer.from(`${canonicalize(report)}\n`)), meta }],
    );
    return o?.id ?? null;
  } catch {
    // A locker too damaged to write still gets its report printed.
    return null;
  }
}

export async function latestReport(v: Vigil): Promise<{ id: string; report: VerifyReport } | null> {
  const rows = await v.evidence.list({ kind: "verification-report", domain: "vigil" });
  const row = rows[rows.length - 1];
  if (row === undefined) return null;
  const data = v.blobs.inlineData(row.digest);
  if (data === null) return null;
  return {
    id: `sha256:${row.digest.toString("hex")}`,
    report: JSON.parse(data.toString("utf8")) as VerifyReport,
  };
}
