import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FastifyReply, FastifyRequest } from "fastify";
import { exportPack } from "../../packs/export-pack.js";
import { listSome, type PackSelection } from "../../packs/select-artifacts.js";
import { VigilError } from "../../errors.js";
import { receipt, tenantOf, type ServerContext } from "../context.js";
import { toProblem } from "../problem.js";
import type { RouteSpec } from "../route.js";
import { ARTIFACT_ID } from "./schemas.js";

const SLUG = { type: "string", maxLength: 64 } as const;
const DATE = { type: "string", maxLength: 10 } as const;

const PACK_BODY = {
  type: "object",
  additionalProperties: false,
  properties: {
    ids: { type: "array", minItems: 1, maxItems: 10000, items: ARTIFACT_ID },
    query: {
      type: "object",
      additionalProperties: false,
      properties: {
        domain: SLUG,
        subdomain: SLUG,
        kind: SLUG,
        from: DATE,
        to: DATE,
        labels: {
          type: "object",
          maxProperties: 64,
          additionalProperties: { type: "string", maxLength: 256 },
        },
      },
    },
    includeDeps: { type: "boolean", default: false },
  },
} as const;

interface PackBody {
  readonly ids?: readonly string[];
  readonly query?: Record<string, unknown>;
  readonly includeDeps: boolean;
}

/** The caller's selection, always inside the request's tenant. */
function selectionOf(b: PackBody, tenant: string): PackSelection {
  if ((b.ids === undefined) === (b.query === undefined))
    throw new VigilError("INPUT_INVALID", "body: give either ids or query");
  return b.ids !== undefined ? { ids: b.ids, tenant } : { query: { ...b.query, tenant } };
}

/**
 * POST /v1/packs: `vigil export` into a private temporary directory, then
 * streamed back as application/gzip and removed. The receipt names what
 * was exported and is durable before the first byte is sent.
 */
async function exportRoute(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const body = req.body as PackBody;
  const selection = selectionOf(body, tenantOf(req));
  const asked = body.ids !== undefined ? `ids ${listSome(body.ids)}` : `query ${JSON.stringify(body.query)}`;
  const dir = await mkdtemp(join(tmpdir(), "vigil-pack-"));
  try {
    const output = join(dir, "pack.tar.gz");
    const r = await exportPack(ctx.vigil, { selection, includeDeps: body.includeDeps, output });
    await receipt(
      ctx,
      req,
      "pack.export",
      `pack ${r.artifacts.length}: ${listSome(r.artifacts)}`,
      "allowed",
      200,
    );
    const stream = createReadStream(output);
    stream.once("close", () => void rm(dir, { recursive: true, force: true }));
    return reply
      .type("application/gzip")
      .header("content-disposition", `attachment; filename="vigil-pack-${r.checkpoint.seq}.tar.gz"`)
      .header("vigil-pack-sha256", r.sha256 ?? "")
      .header("vigil-pack-artifacts", String(r.artifacts.length))
      .send(stream);
  } catch (e) {
    await rm(dir, { recursive: true, force: true });
    const { status } = toProblem(e).problem;
    // A 400 writes nothing (README, "Access receipts"); a lookup that ran leaves its receipt.
    if (status !== 400)
      await receipt(
        ctx,
        req,
        "pack.export",
        `pack ${asked}`,
        status === 404 ? "not-found" : "failed",
        status,
      );
    throw e;
  }
}

export const PACK_ROUTES: readonly RouteSpec[] = [
  {
    method: "POST",
    url: "/v1/packs",
    summary: "export an offline evidence pack (ids or a query, in the caller's tenant) as a .tar.gz",
    action: "pack.export",
    access: true,
    schema: {
      body: PACK_BODY,
      responses: {
        200: { description: "the pack (verify with `vigil verify --offline`)", content: "application/gzip" },
        404: { description: "no such artifacts in this tenant" },
      },
    },
    handler: exportRoute,
  },
];
