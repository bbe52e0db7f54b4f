import type { FastifyReply, FastifyRequest } from "fastify";
import { inlineContents } from "../../domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../domains/evidence/metadata.js";
import type { Candidate } from "../../domains/evidence/evidence-service.js";
import { VigilError } from "../../errors.js";
import { accessEvent, tenantOf, type ServerContext } from "../context.js";
import { ARTIFACT_ID, META_PROPERTIES, OUTCOME } from "./schemas.js";
import { decodeStrictBase64 } from "./strict-base64.js";
import { refuseReserved } from "./upload.js";

export const BATCH_BODY = {
  type: "object",
  required: ["items"],
  additionalProperties: false,
  properties: {
    items: {
      type: "array",
      minItems: 1,
      items: {
        type: "object",
        required: ["data"],
        additionalProperties: false,
        properties: {
          /** The contents, base64 (small artifacts; large ones go to POST /v1/evidence). */
          data: { type: "string", contentEncoding: "base64" },
          ...META_PROPERTIES,
          labels: { type: "object", additionalProperties: { type: "string", maxLength: 256 } },
          parents: { type: "array", maxItems: 256, items: ARTIFACT_ID },
        },
      },
    },
  },
} as const;

export const BATCH_RESPONSE = {
  type: "object",
  properties: {
    added: { type: "integer" },
    exists: { type: "integer" },
    rejected: { type: "integer" },
    outcomes: { type: "array", items: OUTCOME },
  },
} as const;

interface BatchItem {
  readonly data: string;
  readonly [k: string]: unknown;
}

/**
 * POST /v1/evidence/batch: many small artifacts in one request, committed
 * together. Every item is parsed first; one bad item rejects the whole
 * batch and nothing is written.
 */
export async function uploadBatch(req: FastifyRequest, _reply: FastifyReply, ctx: ServerContext) {
  const v = ctx.vigil;
  const { items } = req.body as { items: readonly BatchItem[] };
  if (items.length > ctx.config.batchLimit)
    throw new VigilError(
      "INPUT_INVALID",
      `a batch holds at most ${ctx.config.batchLimit} items (got ${items.length})`,
    );
  const tenant = tenantOf(req);
  const today = v.clock.now().toISOString().slice(0, 10);
  const candidates: Candidate[] = items.map((it, i) => {
    const { data, ...meta } = it;
    const bytes = decodeStrictBase64(data);
    if (bytes === null) throw new VigilError("INPUT_INVALID", `items[${i}].data: not base64`);
    if (bytes.length > v.config.inlineLimit)
      throw new VigilError(
        "INPUT_INVALID",
        `items[${i}]: ${bytes.length} bytes; batch items are at most ${v.config.inlineLimit} (upload larger ones singly)`,
      );
    const where = `items[${i}]`;
    const m = refuseReserved(
      parseEvidenceMeta({ date: today, ...meta, tenant }, where, v.config.retentionClasses),
      where,
    );
    return { contents: inlineContents(bytes), meta: m };
  });
  const outcomes = await ctx.writer.addEvidence(candidates, (outs) => [
    accessEvent(
      ctx,
      req,
      "evidence.write",
      `batch of ${outs.length}, first ${outs[0]?.id ?? "-"}`,
      "allowed",
      200,
    ),
  ]);
  const byStatus = new Map<string, number>();
  for (const o of outcomes) byStatus.set(o.status, (byStatus.get(o.status) ?? 0) + 1);
  for (const [status, n] of byStatus) ctx.metrics.uploads.inc({ status }, n);
  const [added, exists] = [byStatus.get("added") ?? 0, byStatus.get("exists") ?? 0];
  return { added, exists, rejected: outcomes.length - added - exists, outcomes };
}
