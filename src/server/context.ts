import type { FastifyRequest } from "fastify";
import type { Locker } from "../app/open-locker.js";
import type { AccessEvent, AccessOutcome } from "../domains/access/access-record.js";
import { ALL_TENANTS, type Action } from "../domains/access/roles.js";
import type { TokenCache } from "../domains/access/token-cache.js";
import type { Principal } from "../domains/access/tokens.js";
import { DEFAULT_TENANT, parseTenant } from "../domains/evidence/metadata.js";
import type { JournalWriter } from "./journal-writer.js";
import type { Metrics } from "./metrics.js";
import { HttpError } from "./problem.js";
import type { ServerConfig } from "./server-config.js";

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** What every route handler gets: the locker, the one writer, configuration, metrics, tokens. */
export interface ServerContext {
  readonly vigil: Locker;
  readonly writer: JournalWriter;
  readonly config: ServerConfig;
  readonly metrics: Metrics;
  /** Token rows for authentication, cached briefly; a route that revokes a token calls forget(id). */
  readonly tokens: TokenCache;
}

/** The header an every-tenant token uses to say which tenant a request acts in. */
export const TENANT_HEADER = "vigil-tenant";

export function principalOf(req: FastifyRequest): Principal {
  if (req.principal === undefined) throw new HttpError("UNAUTHENTICATED", "this route needs a bearer token");
  return req.principal;
}

/**
 * The tenant a request acts in: its token's. A token for every tenant names
 * one in the Vigil-Tenant header (default: the default tenant); a
 * tenant-scoped token that names another tenant is refused.
 */
export function tenantOf(req: FastifyRequest): string {
  const p = principalOf(req);
  const asked = req.headers[TENANT_HEADER];
  if (Array.isArray(asked)) throw new HttpError("FORBIDDEN", `give ${TENANT_HEADER} once`);
  if (p.tenant === ALL_TENANTS)
    return asked === undefined ? DEFAULT_TENANT : parseTenant(asked, TENANT_HEADER);
  if (asked !== undefined && asked !== p.tenant)
    throw new HttpError("FORBIDDEN", `this token acts in tenant ${p.tenant} only`);
  return p.tenant;
}

/** An access receipt for this request, durable before the caller answers. */
export function receipt(
  ctx: ServerContext,
  req: FastifyRequest,
  action: Action,
  target: string,
  outcome: AccessOutcome,
  status: number,
): Promise<void> {
  return ctx.writer.recordAccess(accessEvent(ctx, req, action, target, outcome, status));
}

export function accessEvent(
  ctx: ServerContext,
  req: FastifyRequest,
  action: Action,
  target: string,
  outcome: AccessOutcome,
  status: number,
): AccessEvent {
  const p = principalOf(req);
  let tenant: string;
  try {
    tenant = tenantOf(req);
  } catch {
    tenant = p.tenant;
  }
  return {
    at: ctx.vigil.clock.now().toISOString(),
    tenant,
    token: p.tokenId,
    role: p.role,
    action,
    target: target.length > 200 ? `${target.slice(0, 200)}…` : target,
    outcome,
    status,
    requestId: req.id,
  };
}
