import type { FastifyRequest } from "fastify";
import type { Action } from "../../domains/access/roles.js";
import { formatArtifactId, parseArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import type { ArtifactRetrieval } from "../../storage/evidence-index.js";
import type { EvidenceRow } from "../../storage/index-ops.js";
import { receipt, tenantOf, type ServerContext } from "../context.js";

/**
 * The artifact a request names, in the request's tenant. Another tenant's
 * artifact and no artifact at all get the same 404 (nothing to infer), and
 * both leave a receipt.
 */
export async function artifactFor(
  req: FastifyRequest,
  ctx: ServerContext,
  action: Action,
): Promise<EvidenceRow> {
  return found(req, ctx, action, (digest, tenant) => ctx.vigil.evidence.get(digest, tenant));
}

/**
 * What the contents route needs, in one storage read: position, lifecycle
 * state, inline contents; no record parse (it needs no metadata).
 */
export async function locate(
  req: FastifyRequest,
  ctx: ServerContext,
  action: Action,
): Promise<ArtifactRetrieval & { readonly digest: Buffer }> {
  return found(req, ctx, action, async (digest, tenant) => {
    const r = await ctx.vigil.evidence.retrieval(digest, tenant);
    return r === null ? null : { digest, leafIndex: r.leafIndex, state: r.state, inline: r.inline };
  });
}

async function found<T>(
  req: FastifyRequest,
  ctx: ServerContext,
  action: Action,
  lookup: (digest: Buffer, tenant: string) => Promise<T | null>,
): Promise<T> {
  const { id } = req.params as { id: string };
  const digest = parseArtifactId(id);
  const row = await lookup(digest, tenantOf(req));
  if (row === null) {
    await receipt(ctx, req, action, formatArtifactId(digest), "not-found", 404);
    throw new VigilError("NOT_FOUND", `no artifact ${formatArtifactId(digest)}`);
  }
  return row;
}
