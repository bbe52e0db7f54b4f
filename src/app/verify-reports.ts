import { DEFAULT_TENANT, formatArtifactId } from "../domains/evidence/metadata.js";
import type { EvidenceRow } from "../storage/index-ops.js";
import type { VerifyReport } from "../verify/report.js";
import type { LockerPorts } from "./open-locker.js";

/** Where verification reports are stored: the default tenant's artifacts of this domain, kind and producer. */
export const REPORT_DOMAIN = "vigil";
export const REPORT_KIND = "verification-report";
export const REPORT_PRODUCER = "vigil verify";

export interface StoredReport {
  readonly id: string;
  readonly report: VerifyReport;
}

/**
 * Stored reports, oldest first. Only the default tenant's, by our producer:
 * another tenant cannot plant a "report" that shows up here.
 */
export async function listReports(v: LockerPorts, limit?: number): Promise<StoredReport[]> {
  const rows = await v.evidence.list({ kind: REPORT_KIND, domain: REPORT_DOMAIN, tenant: DEFAULT_TENANT });
  const ours = rows.filter((r) => r.producer === REPORT_PRODUCER);
  const out: StoredReport[] = [];
  for (const row of limit === undefined ? ours : ours.slice(-limit)) {
    const r = await readReport(v, row);
    if (r !== null) out.push(r);
  }
  return out;
}

export async function latestReport(v: LockerPorts): Promise<StoredReport | null> {
  return (await listReports(v, 1))[0] ?? null;
}

async function readReport(v: LockerPorts, row: EvidenceRow): Promise<StoredReport | null> {
  const data = await v.blobs.inlineData(row.digest);
  if (data === null) return null; // contents expired under retention
  return { id: formatArtifactId(row.digest), report: JSON.parse(data.toString("utf8")) as VerifyReport };
}

/** A report's one-line summary for listings. */
export function reportSummary(s: StoredReport) {
  const r = s.report;
  return {
    id: s.id,
    mode: r.mode,
    result: r.result,
    journalSize: r.journalSize,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
    seconds: r.seconds,
    findings: r.findings.length,
  };
}

/**
 * A report as a token of one tenant may see it. Reports cover the whole
 * locker: findings name artifacts of every tenant and the artifact counts
 * add them up, so a tenant-scoped token gets the result, the log's own
 * counts (leaves, nodes, anchors) and how many findings there were.
 */
export function tenantReportView(r: VerifyReport) {
  const { findings, expected, counts, ...rest } = r;
  return {
    ...rest,
    counts: { leaves: counts.leaves, nodes: counts.nodes, anchors: counts.anchors },
    findings: findings.length,
    expected: expected.length,
    redacted: true,
  };
}
