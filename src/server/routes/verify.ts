import { randomInt } from "node:crypto";
import type { FastifyRequest } from "fastify";
import { reportCandidate, verifyLocker, type VerifyRequest } from "../../app/verification.js";
import { latestReport, listReports, reportSummary, tenantReportView } from "../../app/verify-reports.js";
import { ALL_TENANTS } from "../../domains/access/roles.js";
import { VigilError } from "../../errors.js";
import type { VerifyReport } from "../../verify/report.js";
import { accessEvent, principalOf, receipt, type ServerContext } from "../context.js";
import { oneAtATime } from "../one-at-a-time.js";
import { toProblem } from "../problem.js";
import type { RouteSpec } from "../route.js";

const VERIFY_BODY = {
  type: "object",
  additionalProperties: false,
  properties: {
    mode: { enum: ["quick", "full"], default: "quick" },
    sample: { type: "integer", minimum: 1, maximum: 100000, default: 100 },
    seed: { type: "integer", minimum: 0, maximum: 2147483647, description: "quick: repeat a run" },
  },
} as const;

const LIMIT_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: { limit: { type: "integer", minimum: 1, maximum: 1000, default: 20 } },
} as const;

/** A report as this request's token may see it (see tenantReportView). */
function visible(req: FastifyRequest, r: VerifyReport) {
  return principalOf(req).tenant === ALL_TENANTS ? r : tenantReportView(r);
}

/**
 * POST /v1/verify: runs like `vigil verify`; the report is stored as an
 * artifact through the server's one writer, committed with the receipt.
 */
async function runVerify(req: FastifyRequest, ctx: ServerContext) {
  return oneAtATime(ctx, "verification", async () => {
    const b = (req.body ?? {}) as Partial<VerifyRequest>;
    const ask: VerifyRequest = {
      mode: b.mode ?? "quick",
      sample: b.sample ?? 100,
      seed: b.seed ?? randomInt(2 ** 31),
    };
    const target = `verify ${ask.mode}${ask.mode === "quick" ? ` seed ${ask.seed}` : ""}`;
    const report = await verifyLocker(ctx.vigil, ask).catch(async (e: unknown) => {
      await receipt(ctx, req, "verify.run", target, "failed", toProblem(e).problem.status);
      throw e;
    });
    const [o] = await ctx.writer.addEvidence([reportCandidate(ctx.vigil, report)], () => [
      accessEvent(ctx, req, "verify.run", target, "allowed", 200),
    ]);
    return { reportId: o?.id ?? null, ...visible(req, report) };
  });
}

export const VERIFY_ROUTES: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/verify",
    summary:
      "verify contents, records, tree and anchors (quick: sampled; full: everything); stores the report",
    action: "verify.run",
    access: true,
    schema: {
      body: VERIFY_BODY,
      responses: { 200: { description: "the report" }, 409: { description: "already running" } },
    },
    handler: (req, _reply, ctx) => runVerify(req, ctx),
  },
  {
    method: "GET",
    url: "/v1/verify/reports",
    summary: "stored verification reports, newest last (summaries)",
    action: "verify.read",
    access: true,
    schema: { querystring: LIMIT_QUERY, responses: { 200: { description: "summaries" } } },
    async handler(req, _reply, ctx) {
      const reports = await listReports(ctx.vigil, (req.query as { limit: number }).limit);
      await receipt(ctx, req, "verify.read", "verify reports", "allowed", 200);
      return { v: 1, reports: reports.map(reportSummary) };
    },
  },
  {
    method: "GET",
    url: "/v1/verify/reports/latest",
    summary: "the latest verification report",
    action: "verify.read",
    access: true,
    schema: { responses: { 200: { description: "the report" } } },
    async handler(req, _reply, ctx) {
      const latest = await latestReport(ctx.vigil);
      if (latest === null) {
        await receipt(ctx, req, "verify.read", "latest report", "not-found", 404);
        throw new VigilError("NOT_FOUND", "no verification report yet (POST /v1/verify)");
      }
      await receipt(ctx, req, "verify.read", `report ${latest.id}`, "allowed", 200);
      return { id: latest.id, ...visible(req, latest.report) };
    },
  },
];
