import { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { AccessOutcome } from "../../domains/access/access-record.js";
import type { AddOutcome, AddStatus } from "../../domains/evidence/evidence-service.js";
import { ingestStream, inlineContents } from "../../domains/evidence/ingest.js";
import {
  parseEvidenceMeta,
  type EvidenceMeta,
  type RawEvidenceMeta,
} from "../../domains/evidence/metadata.js";
import { REPORT_DOMAIN } from "../../app/verify-reports.js";
import { accessEvent, tenantOf, type ServerContext } from "../context.js";
import { VigilError } from "../../errors.js";
import { HttpError } from "../problem.js";

/** HTTP status of an add outcome: 201 new, 200 already there (idempotent), 409 conflict, 422 missing parent. */
export const STATUS_OF: Readonly<Record<AddStatus, number>> = {
  added: 201,
  exists: 200,
  conflict: 409,
  "missing-parent": 422,
};

export const RECEIPT_OF: Readonly<Record<AddStatus, AccessOutcome>> = {
  added: "allowed",
  exists: "allowed",
  conflict: "rejected",
  "missing-parent": "rejected",
};

export interface MetaQuery {
  readonly label?: readonly string[];
  readonly parent?: readonly string[];
  readonly [k: string]: unknown;
}

/** Query or JSON metadata -> raw metadata; labels arrive as k=v strings. */
export function rawFromQuery(q: MetaQuery, tenant: string, today: string): RawEvidenceMeta {
  const { label, parent, ...rest } = q;
  const labels: Record<string, string> = {};
  for (const l of label ?? []) {
    const eq = l.indexOf("=");
    if (eq <= 0) throw new VigilError("INPUT_INVALID", `query: label ${JSON.stringify(l)} must be key=value`);
    labels[l.slice(0, eq)] = l.slice(eq + 1);
  }
  return { date: today, ...rest, labels, parents: parent, tenant };
}

/**
 * The domain of the locker's own artifacts (verification reports): not
 * writable over HTTP, so no token can plant a "report" that reads as ours.
 */
export function refuseReserved(meta: EvidenceMeta, where: string): EvidenceMeta {
  if (meta.domain === REPORT_DOMAIN)
    throw new VigilError(
      "INPUT_INVALID",
      `${where}: domain ${REPORT_DOMAIN} is reserved for the locker's own records`,
    );
  return meta;
}

/** Counts bytes as they stream and fails the upload past the limit (nothing is kept). */
async function* limited(source: Readable, limit: number): AsyncGenerator<Buffer> {
  let n = 0;
  for await (const chunk of source) {
    n += (chunk as Buffer).length;
    if (n > limit)
      throw new HttpError("PAYLOAD_TOO_LARGE", `the upload is larger than the limit of ${limit} bytes`);
    yield chunk as Buffer;
  }
}

/**
 * A body whose declared length is small (inline): collected from its data
 * events, without the stream plumbing of ingestStream (per-upload cost on
 * the server's hot path). HTTP framing holds it to the declared length.
 */
function collect(body: Readable): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let ended = false;
    body.on("data", (c: Buffer) => chunks.push(c));
    body.once("end", () => {
      ended = true;
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks));
    });
    body.once("error", reject);
    body.once("close", () => {
      if (!ended) reject(new VigilError("INPUT_INVALID", "the upload ended before its declared length"));
    });
  });
}

/** POST /v1/evidence: one artifact, streamed (small ones collected); metadata in the query string. */
export async function uploadOne(
  req: FastifyRequest,
  reply: FastifyReply,
  ctx: ServerContext,
): Promise<AddOutcome> {
  const v = ctx.vigil;
  const tenant = tenantOf(req);
  const today = v.clock.now().toISOString().slice(0, 10);
  const meta = refuseReserved(
    parseEvidenceMeta(
      rawFromQuery(req.query as MetaQuery, tenant, today),
      "query",
      v.config.retentionClasses,
    ),
    "query",
  );
  const body = req.body as Readable | undefined;
  if (body === undefined || typeof body.pipe !== "function")
    throw new HttpError("UNSUPPORTED_MEDIA_TYPE", "send the contents as application/octet-stream");
  const declared = Number(req.headers["content-length"] ?? NaN);
  const contents =
    declared <= v.config.inlineLimit && declared <= ctx.config.uploadLimit
      ? inlineContents(await collect(body))
      : await ingestStream(
          Readable.from(limited(body, ctx.config.uploadLimit)),
          v.config.inlineLimit,
          v.blobs,
        );
  const [o] = await ctx.writer.addEvidence([{ contents, meta }], (outs) =>
    outs.map((x) => accessEvent(ctx, req, "evidence.write", x.id, RECEIPT_OF[x.status], STATUS_OF[x.status])),
  );
  if (o === undefined) throw new HttpError("SHUTTING_DOWN", "no outcome");
  ctx.metrics.uploads.inc({ status: o.status });
  reply.code(STATUS_OF[o.status]);
  return o;
}
