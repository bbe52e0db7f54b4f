import type { FastifyRequest } from "fastify";
import { allows } from "../domains/access/roles.js";
import { authenticate, type TokenRefusal } from "../domains/access/tokens.js";
import { receipt, tenantOf, type ServerContext } from "./context.js";
import { HttpError } from "./problem.js";
import { RateLimiter } from "./rate-limiter.js";
import type { RouteSpec } from "./route.js";

const REFUSALS: Readonly<Record<TokenRefusal, string>> = {
  missing: "this route needs a bearer token (Authorization: Bearer <token>)",
  malformed: "the bearer token is malformed",
  unknown: "the bearer token is not valid",
  revoked: "the bearer token was revoked",
  expired: "the bearer token has expired",
};

/**
 * Authentication (token rows cached for at most a second: ctx.tokens), rate
 * limit and role check, before any body is read. A
 * token whose role lacks the route's action is refused with 403, and on
 * evidence routes the refusal is itself a receipt. One rate limiter for the
 * server; the returned function gives each route that needs a token its
 * onRequest hook (public routes get none), its spec known when registered.
 */
export function authHook(ctx: ServerContext) {
  const limiter = new RateLimiter(ctx.config.rateLimit.perSecond, ctx.config.rateLimit.burst);
  return (spec: RouteSpec) => {
    const action = spec.action;
    if (action === null) return undefined;
    return async (req: FastifyRequest): Promise<void> => {
      const p = await authenticate(ctx.tokens, bearer(req), ctx.vigil.clock.now(), ctx.tokens);
      if (typeof p === "string")
        throw new HttpError("UNAUTHENTICATED", REFUSALS[p], { "www-authenticate": 'Bearer realm="vigil"' });
      const wait = limiter.take(p.tokenId, Date.now());
      if (wait > 0)
        throw new HttpError("RATE_LIMITED", "too many requests for this token", {
          "retry-after": String(wait),
        });
      req.principal = p;
      if (!allows(p.role, action)) {
        if (spec.access) await receipt(ctx, req, action, req.url, "denied", 403);
        throw new HttpError("FORBIDDEN", `role ${p.role} may not ${action}`);
      }
      await checkTenant(ctx, req, spec);
    };
  };
}

/**
 * A token asking for another tenant (or a malformed one) is refused here, on
 * every route; on evidence routes with a receipt like any other authenticated denial.
 */
async function checkTenant(ctx: ServerContext, req: FastifyRequest, spec: RouteSpec): Promise<void> {
  try {
    tenantOf(req);
  } catch (e) {
    if (spec.access && spec.action !== null && e instanceof HttpError && e.code === "FORBIDDEN")
      await receipt(ctx, req, spec.action, req.url, "denied", 403);
    throw e;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (h === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(h);
  return m === null ? "" : m[1];
}
