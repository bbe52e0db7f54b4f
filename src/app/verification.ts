import { canonicalize } from "../journal/index.js";
import { commitEvidence, type Candidate } from "../domains/evidence/evidence-service.js";
import { inlineContents } from "../domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../domains/evidence/metadata.js";
import { verifyFull, type VerifyDeps, type VerifyOutcome } from "../verify/full.js";
import { verifyQuick, type QuickDeps } from "../verify/quick.js";
import type { VerifyReport } from "../verify/report.js";
import { projectAll } from "./projection.js";
import { REPORT_DOMAIN, REPORT_KIND, REPORT_PRODUCER } from "./verify-reports.js";
import { verifyStreamed } from "../verify/streamed.js";
import type { Locker, LockerPorts } from "./open-locker.js";
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

function quickDeps(v: LockerPorts): QuickDeps {
  return { log: v.log, blobs: v.blobs, evidence: v.evidence, verifier: v.verifier, origin: v.config.origin };
}

/**
 * Runs a verification; the report is not stored (see runVerification,
 * reportCandidate). Quick runs read the ports; a full run uses every core on
 * the embedded locker (worker threads open its database file) and one
 * streamed pass through the ports on PostgreSQL.
 */
export async function verifyLocker(
  v: Locker,
  req: VerifyRequest,
  onProgress?: (stage: string, n: number) => void,
): Promise<VerifyReport> {
  const started = v.clock.now();
  const t0 = process.hrtime.bigint();
  const journalSize = await v.log.size();
  const outcome: VerifyOutcome =
    req.mode === "full"
      ? v.embedded !== null
        ? await verifyFull(verifyDeps(v.embedded), onProgress)
        : await verifyStreamed(quickDeps(v), onProgress)
      : await verifyQuick(quickDeps(v), req.sample, req.seed);
  return {
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
}

/** Runs a verification and stores its report as evidence (kind verification-report). */
export async function runVerification(
  v: Locker,
  req: VerifyRequest,
  onProgress?: (stage: string, n: number) => void,
): Promise<{ report: VerifyReport; reportId: string | null }> {
  const report = await verifyLocker(v, req, onProgress);
  return { report, reportId: await storeReport(v, report) };
}

/** A report as the artifact that stores it: the default tenant's, domain vigil, kind verification-report. */
export function reportCandidate(v: LockerPorts, report: VerifyReport): Candidate {
  const meta = parseEvidenceMeta(
    {
      domain: REPORT_DOMAIN,
      subdomain: "verification",
      name: `verify-${report.mode}`,
      date: report.finishedAt.slice(0, 10),
      kind: REPORT_KIND,
      labels: { mode: report.mode, result: report.result },
      retention: "audit",
      producer: REPORT_PRODUCER,
    },
    "verification report",
    v.config.retentionClasses,
  );
  return { contents: inlineContents(Buffer.from(`${canonicalize(report)}\n`)), meta };
}

async function storeReport(v: LockerPorts, report: VerifyReport): Promise<string | null> {
  try {
    const [o] = await commitEvidence(
      { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll },
      [reportCandidate(v, report)],
    );
    return o?.id ?? null;
  } catch {
    // A locker too damaged to write still gets its report printed.
    return null;
  }
}
