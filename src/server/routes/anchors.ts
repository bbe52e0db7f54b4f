import { anchorContext, anchorJson, anchorRows, requireAnchor } from "../../app/anchor-views.js";
import { createAnchor } from "../../log/anchors.js";
import { inTurn } from "../one-at-a-time.js";
import type { RouteSpec } from "../route.js";
import { ANCHOR, NO_BODY, SEQ_PARAMS } from "./schemas.js";

const PAGE_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    after: { type: "integer", minimum: 0, default: 0, description: "only anchors with a larger seq" },
    limit: { type: "integer", minimum: 1, maximum: 1000, default: 100 },
    links: { type: "boolean", default: false, description: "with each anchor's consistency link" },
  },
} as const;

const ANCHOR_PAGE = {
  type: "object",
  required: ["v", "anchors", "next"],
  properties: {
    v: { const: 1 },
    anchors: { type: "array", items: { type: "object" } },
    next: { type: ["integer", "null"], description: "pass as ?after= for the next page" },
  },
} as const;

interface PageQuery {
  readonly after: number;
  readonly limit: number;
  readonly links: boolean;
}

/** The anchor chain: public to any token with proof.read (it names no artifact, no tenant). */
export const ANCHOR_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/anchors",
    summary: "the anchor chain, oldest first, a page at a time",
    action: "proof.read",
    access: false,
    schema: { querystring: PAGE_QUERY, responses: { 200: { description: "a page", schema: ANCHOR_PAGE } } },
    async handler(req, _reply, ctx) {
      const q = req.query as PageQuery;
      const rows = await anchorRows(ctx.vigil, { after: q.after, limit: q.limit + 1, showLinks: q.links });
      const page = rows.slice(0, q.limit);
      return { v: 1, anchors: page, next: rows.length > q.limit ? (page.at(-1)?.seq ?? null) : null };
    },
  },
  {
    method: "GET",
    url: "/v1/anchors/latest",
    summary: "the latest anchor and its signed note",
    action: "proof.read",
    access: false,
    schema: { responses: { 200: { description: "the anchor", schema: ANCHOR } } },
    handler: async (_req, _reply, ctx) => anchorJson(await requireAnchor(ctx.vigil, undefined)),
  },
  {
    method: "GET",
    url: "/v1/anchors/:seq",
    summary: "one anchor and its signed note",
    action: "proof.read",
    access: false,
    schema: { params: SEQ_PARAMS, responses: { 200: { description: "the anchor", schema: ANCHOR } } },
    async handler(req, _reply, ctx) {
      return anchorJson(await requireAnchor(ctx.vigil, (req.params as { seq: number }).seq));
    },
  },
  {
    method: "GET",
    url: "/v1/anchors/:seq/note",
    summary: "one anchor as its C2SP signed note (tlog-checkpoint), as `anchor export` writes it",
    action: "proof.read",
    access: false,
    schema: {
      params: SEQ_PARAMS,
      responses: { 200: { description: "the signed note", content: "text/plain; charset=utf-8" } },
    },
    async handler(req, reply, ctx) {
      const a = await requireAnchor(ctx.vigil, (req.params as { seq: number }).seq);
      return reply.type("text/plain; charset=utf-8").send(a.note);
    },
  },
  {
    method: "POST",
    url: "/v1/anchors",
    summary: "sign a checkpoint of the journal now (200 when the latest anchor already covers it)",
    action: "anchor.create",
    access: false,
    schema: {
      body: NO_BODY,
      responses: {
        201: { description: "signed", schema: ANCHOR },
        200: { description: "already covered", schema: ANCHOR },
      },
    },
    async handler(_req, reply, ctx) {
      const { anchor, created } = await inTurn(ctx, "anchor", () => createAnchor(anchorContext(ctx.vigil)));
      reply.code(created ? 201 : 200);
      return { created, ...anchorJson(anchor) };
    },
  },
];
