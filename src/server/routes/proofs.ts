import type { FastifyRequest } from "fastify";
import { requireAnchor } from "../../app/anchor-views.js";
import { consistencyProof, inclusionProof, proofTreeSize } from "../../app/proofs.js";
import { formatArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import { receipt, type ServerContext } from "../context.js";
import { toProblem } from "../problem.js";
import type { RouteSpec } from "../route.js";
import { artifactFor } from "./artifact-lookup.js";
import { ID_PARAMS, PROOF } from "./schemas.js";

const INCLUSION_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    anchor: { type: "integer", minimum: 1, description: "prove against this anchor" },
    size: {
      type: "integer",
      minimum: 1,
      description: "prove in the tree of this size (`proof inclusion --size`)",
    },
  },
} as const;

const CONSISTENCY_QUERY = {
  type: "object",
  required: ["from", "to"],
  additionalProperties: false,
  properties: { from: { type: "integer", minimum: 1 }, to: { type: "integer", minimum: 1 } },
} as const;

/**
 * The tree to prove in: ?size=N (as `proof inclusion --size`), ?anchor=SEQ,
 * else the latest anchor, else (no anchors yet) the journal.
 */
async function target(req: FastifyRequest, ctx: ServerContext) {
  const { anchor, size } = req.query as { anchor?: number; size?: number };
  if (anchor !== undefined && size !== undefined)
    throw new VigilError("INPUT_INVALID", "give ?anchor= or ?size=, not both");
  if (size !== undefined) return { size: await proofTreeSize(ctx.vigil, size), anchor: null };
  const a = await (anchor === undefined
    ? ctx.vigil.log.latestCheckpoint()
    : requireAnchor(ctx.vigil, anchor));
  return { size: a?.size ?? (await proofTreeSize(ctx.vigil, undefined)), anchor: a };
}

/**
 * An artifact's inclusion proof, in the caller's tenant only (another
 * tenant's id is the same 404 as none). Every answer leaves a receipt. A leaf
 * the tree does not hold yet is the same 400 as `proof inclusion` exits 5 with.
 */
async function inclusion(req: FastifyRequest, ctx: ServerContext) {
  // The tree is read beside the artifact (one round trip less); the artifact's answer comes first.
  const tree = target(req, ctx);
  tree.catch(() => undefined); // awaited below, unless the artifact is not found
  const row = await artifactFor(req, ctx, "proof.read");
  const id = formatArtifactId(row.digest);
  try {
    const { size, anchor } = await tree;
    const proof = await inclusionProof(ctx.vigil, row.leafIndex, size);
    await receipt(ctx, req, "proof.read", `proof ${id}`, "allowed", 200);
    return { id, ...proof, anchor: anchor === null ? null : { seq: anchor.seq, note: anchor.note } };
  } catch (e) {
    await receipt(ctx, req, "proof.read", `proof ${id}`, "rejected", toProblem(e).problem.status);
    throw e;
  }
}

export const PROOF_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/evidence/:id/proof",
    summary: "an artifact's RFC 6962 inclusion proof against the latest anchor (or ?anchor=SEQ, or ?size=N)",
    action: "proof.read",
    access: true,
    schema: {
      params: ID_PARAMS,
      querystring: INCLUSION_QUERY,
      responses: { 200: { description: "the proof and the anchor's signed note", schema: PROOF } },
    },
    handler: (req, _reply, ctx) => inclusion(req, ctx),
  },
  {
    method: "GET",
    url: "/v1/proofs/consistency",
    summary: "an RFC 6962 consistency proof between two tree sizes",
    action: "proof.read",
    access: false,
    schema: {
      querystring: CONSISTENCY_QUERY,
      responses: { 200: { description: "the proof", schema: PROOF } },
    },
    async handler(req, _reply, ctx) {
      const q = req.query as { from: number; to: number };
      return consistencyProof(ctx.vigil, q.from, q.to);
    },
  },
];
