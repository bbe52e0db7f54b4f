import { createServer } from "node:http";
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { authHook } from "./auth-hook.js";
import { clientErrorHandler } from "./client-error.js";
import type { ServerContext } from "./context.js";
import { PROBLEM_TYPE, problem, toProblem, HttpError } from "./problem.js";
import type { RouteSpec } from "./route.js";
import { ROUTES } from "./routes/index.js";
import { validatorCompiler } from "./validators.js";

let requestCounter = 0;

/**
 * The HTTP API as a Fastify instance, not yet listening (tests inject into
 * it in-process). Errors of every kind leave as RFC 9457 problems, mapped
 * once by toProblem().
 */
export function buildApp(ctx: ServerContext, routes: readonly RouteSpec[] = ROUTES): FastifyInstance {
  const app = Fastify({
    logger: false,
    bodyLimit: ctx.config.bodyLimit,
    routerOptions: { maxParamLength: 256 },
    requestTimeout: ctx.config.requestTimeoutMs,
    connectionTimeout: ctx.config.requestTimeoutMs,
    return503OnClosing: true,
    genReqId: () => `req_${(++requestCounter).toString(36)}`,
    serverFactory: (handler) => createServer({ maxHeaderSize: ctx.config.headerLimit }, handler),
    clientErrorHandler,
    // Bad percent-encoding and over-long ids are refused by the router, before any route: same problems.
    frameworkErrors: (e, _req, reply) => void sendProblem(reply, e),
  });
  app.setValidatorCompiler(validatorCompiler);
  // Upload bodies stay streams: the route reads, hashes and stores them as they arrive.
  app.addContentTypeParser("application/octet-stream", (_req, payload, done) => done(null, payload));
  // Matched routes count themselves (register); this counts the rest.
  app.addHook("onResponse", async (req, reply) => {
    if (req.is404) ctx.metrics.httpRequests.inc({ route: "unmatched", status: reply.statusCode });
  });
  app.setErrorHandler(async (e, _req, reply) => sendProblem(reply, e));
  app.setNotFoundHandler(async (req, reply) => {
    const p = problem("ROUTE_NOT_FOUND", `no route ${req.method} ${req.url.split("?")[0] ?? ""}`);
    return reply.code(p.status).type(PROBLEM_TYPE).send(p);
  });
  const auth = authHook(ctx);
  for (const spec of routes) register(app, ctx, spec, auth(spec));
  return app;
}

/** One route of the table, with its auth hook (none for public routes) and its request counter. */
function register(
  app: FastifyInstance,
  ctx: ServerContext,
  spec: RouteSpec,
  auth: ((req: FastifyRequest) => Promise<void>) | undefined,
): void {
  const s = spec.schema;
  app.route({
    method: spec.method,
    url: spec.url,
    ...(auth ? { onRequest: auth } : {}),
    onResponse: async (_req, reply) => {
      ctx.metrics.httpRequests.inc({ route: spec.url, status: reply.statusCode });
    },
    schema: {
      ...(s?.params ? { params: s.params } : {}),
      ...(s?.querystring ? { querystring: s.querystring } : {}),
      ...(s?.body ? { body: s.body } : {}),
    },
    // No body at all is an empty JSON object: the schema's defaults and required members then apply.
    ...(s?.body ? { preValidation: emptyBody } : {}),
    handler: (req, reply) => spec.handler(req, reply, ctx),
  });
}

function sendProblem(reply: FastifyReply, e: unknown): FastifyReply {
  const { problem: p, headers } = toProblem(e);
  if (p.status >= 500 && p.code === "INTERNAL")
    process.stderr.write(`vigil serve: ${(e as Error).stack ?? String(e)}\n`);
  return reply.code(p.status).headers(headers).type(PROBLEM_TYPE).send(p);
}

async function emptyBody(req: FastifyRequest): Promise<void> {
  if (req.body === undefined) req.body = {};
}

export { HttpError };
