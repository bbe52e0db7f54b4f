import type { FastifyReply, FastifyRequest } from "fastify";
import type { Action } from "../domains/access/roles.js";
import type { ServerContext } from "./context.js";

export type Method = "GET" | "POST" | "DELETE";

/** JSON schemas of one route: they validate requests and generate /openapi.json. */
export interface RouteSchema {
  readonly params?: object;
  readonly querystring?: object;
  readonly body?: object;
  /** Response schemas by status, documented in the OpenAPI document (not used to serialise). */
  readonly responses?: Readonly<Record<number, { description: string; content?: string; schema?: object }>>;
}

/**
 * One API route. `action` is what a token needs (null: public); `access`
 * says the route reads or changes evidence and so leaves access receipts.
 * The route table is the single list that the server registers, the
 * OpenAPI document describes and the role x tenant matrix test walks.
 */
export interface RouteSpec {
  readonly method: Method;
  readonly url: string;
  readonly summary: string;
  readonly action: Action | null;
  readonly access: boolean;
  readonly schema?: RouteSchema;
  /** Request body handled as a raw stream (uploads), not parsed. */
  readonly rawBody?: boolean;
  handler(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext): Promise<unknown>;
}
