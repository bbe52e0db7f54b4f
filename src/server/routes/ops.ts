import { access, constants } from "node:fs/promises";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../context.js";
import type { RouteSpec } from "../route.js";

async function ready(_req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const v = ctx.vigil;
  const checks: Record<string, string> = {};
  const run = async (name: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
      checks[name] = "ok";
    } catch (e) {
      checks[name] = (e as Error).message;
    }
  };
  await run("storage", () => v.log.size());
  await run("key", async () => {
    if (v.config.replicaOf !== undefined) throw new Error("a replica holds no signing key");
    v.signer.sign(Buffer.from("vigil readiness probe"));
  });
  await run("writes", async () => {
    if (ctx.writer.isClosed) throw new Error("shutting down");
    await access(v.paths.dataDir, constants.W_OK);
  });
  const ok = Object.values(checks).every((c) => c === "ok");
  reply.code(ok ? 200 : 503);
  return { status: ok ? "ready" : "not ready", checks };
}

export const OPS_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/healthz",
    summary: "the process is alive",
    action: null,
    access: false,
    schema: { responses: { 200: { description: "alive" } } },
    handler: async () => ({ status: "alive" }),
  },
  {
    method: "GET",
    url: "/readyz",
    summary: "storage reachable, signing key loaded, writes possible",
    action: null,
    access: false,
    schema: { responses: { 200: { description: "ready" }, 503: { description: "not ready" } } },
    handler: ready,
  },
  {
    method: "GET",
    url: "/metrics",
    summary: "Prometheus text exposition",
    action: null,
    access: false,
    schema: { responses: { 200: { description: "metrics", content: "text/plain; version=0.0.4" } } },
    async handler(_req, reply, ctx) {
      reply.header("content-type", ctx.metrics.registry.contentType);
      return ctx.metrics.registry.metrics();
    },
  },
];
