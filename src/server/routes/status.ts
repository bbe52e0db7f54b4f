import type { FastifyRequest } from "fastify";
import { fullStorageStats, lockerStatus, tenantStorageStats } from "../../app/locker-status.js";
import { ALL_TENANTS } from "../../domains/access/roles.js";
import { principalOf, TENANT_HEADER, tenantOf } from "../context.js";
import type { RouteSpec } from "../route.js";

/**
 * The tenant whose counts a request sees: its token's; an every-tenant
 * token's Vigil-Tenant if it names one, else null (the whole locker).
 */
function countsTenant(req: FastifyRequest): string | null {
  const tenant = tenantOf(req);
  return principalOf(req).tenant === ALL_TENANTS && req.headers[TENANT_HEADER] === undefined ? null : tenant;
}

/**
 * Counts, never contents or metadata values. A tenant-scoped token sees its
 * own tenant's counts and the shared journal's; an every-tenant token sees
 * the whole locker (blobs, database, every kind).
 */
export const STATUS_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/status",
    summary: "journal size, artifacts (the caller's tenant), index lag, latest anchor",
    action: "storage.read",
    access: false,
    schema: { responses: { 200: { description: "status" } } },
    handler: async (req, _reply, ctx) => lockerStatus(ctx.vigil, countsTenant(req) ?? undefined),
  },
  {
    method: "GET",
    url: "/v1/storage/stats",
    summary: "artifact counts and bytes (the caller's tenant); blobs and database for every-tenant tokens",
    action: "storage.read",
    access: false,
    schema: { responses: { 200: { description: "stats" } } },
    async handler(req, _reply, ctx) {
      const t = countsTenant(req);
      return t === null ? fullStorageStats(ctx.vigil) : tenantStorageStats(ctx.vigil, t);
    },
  },
  {
    method: "GET",
    url: "/v1/index/status",
    summary: "the evidence index's position in the journal and its lag",
    action: "storage.read",
    access: false,
    schema: { responses: { 200: { description: "index status" } } },
    async handler(req, _reply, ctx) {
      const s = await ctx.vigil.maintenance.status();
      return countsTenant(req) === null
        ? s
        : { journalSize: s.journalSize, position: s.position, lag: s.lag };
    },
  },
];
