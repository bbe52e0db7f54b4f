import type { FastifyReply, FastifyRequest } from "fastify";
import { inspectArtifact } from "../../app/evidence-queries.js";
import { projectAll } from "../../app/projection.js";
import { rowSummary } from "../../domains/evidence/evidence-service.js";
import { hold, markCorrupted, release } from "../../domains/evidence/lifecycle.js";
import { formatArtifactId } from "../../domains/evidence/metadata.js";
import { provenance } from "../../domains/evidence/provenance.js";
import { VigilError } from "../../errors.js";
import { receipt, tenantOf, type ServerContext } from "../context.js";
import type { RouteSpec } from "../route.js";
import { artifactFor, locate } from "./artifact-lookup.js";
import { BATCH_BODY, BATCH_RESPONSE, uploadBatch } from "./batch.js";
import { ID_PARAMS, LIST_QUERY, OUTCOME, REASON_BODY, UPLOAD_QUERY } from "./schemas.js";
import { uploadOne, type MetaQuery } from "./upload.js";

async function getContents(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const started = process.hrtime.bigint();
  const { digest, leafIndex, state, inline } = await locate(req, ctx, "evidence.read");
  const id = formatArtifactId(digest);
  if (state?.state === "expired") {
    await receipt(ctx, req, "evidence.read", id, "not-found", 410);
    throw new VigilError(
      "NOT_FOUND",
      `${id}: contents expired on ${state.fact.at.slice(0, 10)}; the record remains`,
    );
  }
  await receipt(ctx, req, "evidence.read", id, "allowed", 200);
  reply
    .header("content-type", "application/octet-stream")
    .header("digest", `sha-256=${digest.toString("base64")}`)
    .header("vigil-leaf-index", String(leafIndex));
  if (state?.state === "corrupted")
    reply.header("vigil-warning", "marked corrupted; bytes may not match the digest");
  ctx.metrics.retrievalLatency.observe(Number(process.hrtime.bigint() - started) / 1e9);
  return inline ?? ctx.vigil.blobs.open(digest);
}

async function getMeta(req: FastifyRequest, _reply: FastifyReply, ctx: ServerContext) {
  const row = await artifactFor(req, ctx, "evidence.list");
  await receipt(ctx, req, "evidence.list", formatArtifactId(row.digest), "allowed", 200);
  return inspectArtifact(ctx.vigil, row);
}

async function getProvenance(req: FastifyRequest, _reply: FastifyReply, ctx: ServerContext) {
  const row = await artifactFor(req, ctx, "evidence.list");
  await receipt(ctx, req, "evidence.list", `provenance ${formatArtifactId(row.digest)}`, "allowed", 200);
  return provenance(ctx.vigil.evidence, row.digest, row.tenant);
}

async function list(req: FastifyRequest, _reply: FastifyReply, ctx: ServerContext) {
  const q = req.query as MetaQuery & { limit: number };
  const labels: Record<string, string> = {};
  for (const l of q.label ?? []) {
    const eq = l.indexOf("=");
    if (eq <= 0) throw new VigilError("INPUT_INVALID", `label filter ${JSON.stringify(l)} must be key=value`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  const { label: _l, ...filters } = q;
  const rows = await ctx.vigil.evidence.list({ ...filters, labels, tenant: tenantOf(req) });
  await receipt(ctx, req, "evidence.list", `list ${req.url.split("?")[1] ?? ""}`, "allowed", 200);
  return rows.map(rowSummary);
}

const LIFECYCLE = { hold, release, "mark-corrupted": markCorrupted } as const;

function lifecycleRoute(name: keyof typeof LIFECYCLE, summary: string): RouteSpec {
  return {
    method: "POST",
    url: `/v1/evidence/:id/${name}`,
    summary,
    action: "evidence.lifecycle",
    access: true,
    schema: { params: ID_PARAMS, body: REASON_BODY, responses: { 200: { description: "recorded" } } },
    async handler(req, _reply, ctx) {
      const row = await artifactFor(req, ctx, "evidence.lifecycle");
      const v = ctx.vigil;
      const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
      const { reason } = req.body as { reason: string };
      const leaf = await LIFECYCLE[name](deps, { digest: row.digest, tenant: row.tenant }, reason);
      await receipt(
        ctx,
        req,
        "evidence.lifecycle",
        `${name} ${formatArtifactId(row.digest)}`,
        "allowed",
        200,
      );
      return { id: formatArtifactId(row.digest), action: name, recordLeaf: leaf, reason };
    },
  };
}

export const EVIDENCE_ROUTES: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/evidence",
    summary: "add one artifact: the body is its contents (application/octet-stream), streamed",
    action: "evidence.write",
    access: true,
    rawBody: true,
    schema: {
      querystring: UPLOAD_QUERY,
      responses: {
        201: { description: "added", schema: OUTCOME },
        200: { description: "already there", schema: OUTCOME },
      },
    },
    handler: uploadOne,
  },
  {
    method: "POST",
    url: "/v1/evidence/batch",
    summary: "add many small artifacts in one durable commit",
    action: "evidence.write",
    access: true,
    schema: { body: BATCH_BODY, responses: { 200: { description: "outcomes", schema: BATCH_RESPONSE } } },
    handler: uploadBatch,
  },
  {
    method: "GET",
    url: "/v1/evidence",
    summary: "list artifacts (filters as in `vigil evidence list`)",
    action: "evidence.list",
    access: true,
    schema: { querystring: LIST_QUERY, responses: { 200: { description: "artifacts" } } },
    handler: list,
  },
  {
    method: "GET",
    url: "/v1/evidence/:id",
    summary: "an artifact's contents",
    action: "evidence.read",
    access: true,
    schema: {
      params: ID_PARAMS,
      responses: { 200: { description: "contents", content: "application/octet-stream" } },
    },
    handler: getContents,
  },
  {
    method: "GET",
    url: "/v1/evidence/:id/meta",
    summary: "an artifact's metadata, journal position, storage and lifecycle state",
    action: "evidence.list",
    access: true,
    schema: { params: ID_PARAMS, responses: { 200: { description: "metadata" } } },
    handler: getMeta,
  },
  {
    method: "GET",
    url: "/v1/evidence/:id/provenance",
    summary: "an artifact's provenance parents, recursively",
    action: "evidence.list",
    access: true,
    schema: { params: ID_PARAMS, responses: { 200: { description: "provenance tree" } } },
    handler: getProvenance,
  },
  lifecycleRoute("hold", "place a legal hold: retention will not remove the contents"),
  lifecycleRoute("release", "release a legal hold"),
  lifecycleRoute("mark-corrupted", "record an integrity incident (contents kept)"),
];
