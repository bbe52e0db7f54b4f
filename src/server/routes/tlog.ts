import { gzipSync } from "node:zlib";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ALL_TENANTS } from "../../domains/access/roles.js";
import { VigilError } from "../../errors.js";
import { parseTilePath, TILE_WIDTH, TileFormatError, type TilePath } from "../../journal/index.js";
import { LogTiles } from "../../tlog/log-tiles.js";
import { principalOf, receipt, type ServerContext } from "../context.js";
import { HttpError } from "../problem.js";
import type { RouteSpec } from "../route.js";

/**
 * The journal read-only in the C2SP tlog-tiles layout (https://c2sp.org/tlog-tiles)
 * under /tlog/, so any tlog client or monitor can follow it. The checkpoint
 * and hash tiles are public: they reveal hashes only. Entry bundles hold the
 * raw records of every tenant, so they need log.read and an every-tenant
 * token, and each read leaves a receipt.
 */
const OCTETS = "application/octet-stream";
/** tlog-tiles: full tiles and bundles are immutable; a partial one may be deleted once its full tile exists. */
const IMMUTABLE = "max-age=31536000, immutable";
const PARTIAL = "max-age=60";

function tilePath(req: FastifyRequest, prefix: string): TilePath {
  const rest = (req.params as { "*"?: string })["*"] ?? "";
  try {
    return parseTilePath(`${prefix}${rest}`);
  } catch (e) {
    if (!(e instanceof TileFormatError)) throw e;
    throw new VigilError("INPUT_INVALID", `${prefix}${rest.slice(0, 100)}: ${e.message}`);
  }
}

function send(reply: FastifyReply, p: TilePath, bytes: Buffer, scope: "public" | "private"): Buffer {
  reply
    .header("content-type", OCTETS)
    .header("cache-control", `${scope}, ${p.width === TILE_WIDTH ? IMMUTABLE : PARTIAL}`);
  return bytes;
}

function notCovered(path: string): VigilError {
  return new VigilError("NOT_FOUND", `${path} is not covered by the latest checkpoint`);
}

async function checkpoint(_req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const note = await new LogTiles(ctx.vigil.log).checkpoint();
  if (note === null) throw new VigilError("NOT_FOUND", "the log has no checkpoint yet");
  // tlog-tiles: the checkpoint is mutable; no caching beyond a few seconds.
  reply.header("content-type", "text/plain; charset=utf-8").header("cache-control", "no-cache");
  return note;
}

async function hashTile(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const p = tilePath(req, "tile/");
  const bytes = await new LogTiles(ctx.vigil.log).resource(p);
  if (bytes === null) throw notCovered(req.url);
  return send(reply, p, bytes, "public");
}

async function entryBundle(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext) {
  const target = req.url.slice(0, 200);
  if (principalOf(req).tenant !== ALL_TENANTS) {
    await receipt(ctx, req, "log.read", target, "denied", 403);
    throw new HttpError(
      "FORBIDDEN",
      `entry bundles hold every tenant's records: they need a ${ALL_TENANTS} token`,
    );
  }
  // A malformed path (400) reaches no records and, like every 400, writes nothing.
  const p = tilePath(req, "tile/entries/");
  const bytes = await new LogTiles(ctx.vigil.log).resource(p);
  if (bytes === null) {
    await receipt(ctx, req, "log.read", target, "not-found", 404);
    throw notCovered(req.url);
  }
  await receipt(ctx, req, "log.read", target, "allowed", 200);
  return send(reply, p, gzipIfAccepted(req, reply, bytes), "private");
}

/** tlog-tiles: entry bundles SHOULD be compressed at the HTTP layer (records are JSON: they shrink well). */
function gzipIfAccepted(req: FastifyRequest, reply: FastifyReply, bytes: Buffer): Buffer {
  reply.header("vary", "accept-encoding");
  if (!acceptsGzip(req.headers["accept-encoding"])) return bytes;
  reply.header("content-encoding", "gzip");
  return gzipSync(bytes);
}

/** RFC 9110 s12.5.3: "gzip" listed with a q-value above 0 (or none). */
function acceptsGzip(header: string | string[] | undefined): boolean {
  if (typeof header !== "string") return false;
  return header.split(",").some((item) => {
    const [coding = "", ...params] = item.split(";").map((x) => x.trim().toLowerCase());
    const q = params.find((x) => x.startsWith("q="));
    return coding === "gzip" && (q === undefined || Number(q.slice(2)) > 0);
  });
}

const TILE_RESPONSES = {
  200: { description: "the tile's bytes", content: OCTETS },
  400: { description: "not a canonical tlog-tiles path" },
  404: { description: "not covered by the latest checkpoint" },
};

export const TLOG_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/tlog/checkpoint",
    summary: "the latest signed checkpoint (C2SP tlog-checkpoint in a signed note)",
    action: null,
    access: false,
    schema: { responses: { 200: { description: "signed note", content: "text/plain; charset=utf-8" } } },
    handler: checkpoint,
  },
  {
    method: "GET",
    url: "/tlog/tile/entries/*",
    summary: "an entry bundle: raw records of every tenant (tlog-tiles tile/entries/<N>[.p/<W>])",
    action: "log.read",
    access: true,
    schema: { responses: { ...TILE_RESPONSES, 403: { description: "needs an every-tenant token" } } },
    handler: entryBundle,
  },
  {
    method: "GET",
    url: "/tlog/tile/*",
    summary: "a hash tile (tlog-tiles tile/<L>/<N>[.p/<W>])",
    action: null,
    access: false,
    schema: { responses: TILE_RESPONSES },
    handler: hashTile,
  },
];
