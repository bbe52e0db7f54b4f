import type { FastifyReply, FastifyRequest } from "fastify";
import { runReceiptAudit } from "../../app/receipt-audit.js";
import { parseReceiptQuery, type RawReceiptQuery } from "../../domains/access/receipt-query.js";
import { ALL_TENANTS } from "../../domains/access/roles.js";
import { principalOf, receipt, type ServerContext } from "../context.js";
import { HttpError } from "../problem.js";
import type { RouteSpec } from "../route.js";

const RECEIPTS_QUERY = {
  type: "object",
  additionalProperties: false,
  required: ["since"],
  properties: {
    since: { type: "string", maxLength: 40 },
    until: { type: "string", maxLength: 40 },
    tenant: { type: "string", maxLength: 64 },
    checkGaps: { type: "boolean" },
    limit: { type: "integer", minimum: 1, maximum: 10000, default: 1000 },
  },
} as const;

/**
 * A tenant token sees its own tenant's receipts; an every-tenant token sees
 * every tenant's, or the one it names. Gaps are judged over every receipt
 * (numbering is per server process, across tenants).
 */
function scopedTenant(req: FastifyRequest, asked: unknown): unknown {
  const p = principalOf(req);
  if (p.tenant === ALL_TENANTS) return asked;
  if (asked !== undefined && asked !== p.tenant)
    throw new HttpError("FORBIDDEN", `this token sees tenant ${p.tenant}'s receipts only`);
  return p.tenant;
}

async function receipts(req: FastifyRequest, _reply: FastifyReply, ctx: ServerContext) {
  const raw = req.query as RawReceiptQuery;
  let tenant: unknown;
  try {
    tenant = scopedTenant(req, raw.tenant);
  } catch (e) {
    await receipt(ctx, req, "audit.read", `receipts of tenant ${String(raw.tenant)}`, "denied", 403);
    throw e;
  }
  const q = parseReceiptQuery({ ...raw, tenant }, ctx.vigil.clock.now());
  const audit = await runReceiptAudit(ctx.vigil.log, q);
  await receipt(ctx, req, "audit.read", `receipts since ${q.since}`, "allowed", 200);
  return audit;
}

export const AUDIT_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/audit/receipts",
    summary: "access receipts (who saw what) in a window, with the server runs and, on checkGaps, every hole",
    action: "audit.read",
    access: true,
    schema: {
      querystring: RECEIPTS_QUERY,
      responses: {
        200: { description: "vigil.receipt-audit v1" },
        403: { description: "another tenant's receipts" },
      },
    },
    handler: receipts,
  },
];
