import type { RouteSpec } from "./route.js";
import { PROBLEM } from "./routes/schemas.js";

/** OpenAPI 3.1 (its schemas are JSON Schema 2020-12, so the route schemas go in as they are). */
export const OPENAPI_VERSION = "3.1.0";

type Json = Record<string, unknown>;

interface Param {
  readonly name: string;
  readonly in: "path" | "query";
  readonly required: boolean;
  readonly schema: unknown;
  readonly description?: string;
}

const PROBLEM_RESPONSE = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
});

/** Fastify's `/v1/evidence/:id` and `/tlog/tile/*` as OpenAPI paths: `{id}`, `{path}`. */
export function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z_]+)/g, "{$1}").replace(/\*$/, "{path}");
}

function propsOf(schema: object | undefined): [string, unknown][] {
  const p = (schema as { properties?: Json } | undefined)?.properties;
  return p === undefined ? [] : Object.entries(p);
}

function parameters(r: RouteSpec): Param[] {
  const s = r.schema;
  const path: Param[] = propsOf(s?.params).map(([name, schema]) => ({
    name,
    in: "path",
    required: true,
    schema,
  }));
  if (r.url.endsWith("*") && path.length === 0)
    path.push({
      name: "path",
      in: "path",
      required: true,
      schema: { type: "string" },
      description: "the rest of the path",
    });
  const required = new Set((s?.querystring as { required?: string[] } | undefined)?.required ?? []);
  const query: Param[] = propsOf(s?.querystring).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
  return [...path, ...query];
}

function requestBody(r: RouteSpec): Json | undefined {
  if (r.rawBody === true)
    return {
      required: true,
      content: {
        "application/octet-stream": {
          schema: { type: "string", contentMediaType: "application/octet-stream" },
        },
      },
    };
  if (r.schema?.body === undefined) return undefined;
  return { required: false, content: { "application/json": { schema: r.schema.body } } };
}

function responses(r: RouteSpec): Json {
  const out: Json = {};
  for (const [status, x] of Object.entries(r.schema?.responses ?? {})) {
    const type = x.content ?? "application/json";
    out[status] = {
      description: x.description,
      content: { [type]: x.schema === undefined ? {} : { schema: x.schema } },
    };
  }
  if (r.action !== null) {
    out["401"] ??= PROBLEM_RESPONSE("no valid bearer token");
    out["403"] ??= PROBLEM_RESPONSE(`the token's role may not ${r.action}, or names another tenant`);
  }
  out.default = PROBLEM_RESPONSE("an RFC 9457 problem with a stable code");
  return out;
}

function operation(r: RouteSpec): Json {
  const params = parameters(r);
  const body = requestBody(r);
  return {
    summary: r.summary,
    operationId: `${r.method.toLowerCase()}${openApiPath(r.url).replace(/[^A-Za-z0-9]+(.)?/g, (_m, c?: string) => (c ?? "").toUpperCase())}`,
    ...(r.action === null ? { security: [] } : { "x-vigil-action": r.action }),
    ...(r.access ? { "x-vigil-access-receipt": true } : {}),
    ...(params.length > 0 ? { parameters: params } : {}),
    ...(body === undefined ? {} : { requestBody: body }),
    responses: responses(r),
  };
}

/** The OpenAPI document of a route table: the schemas Fastify validates with, nothing written twice. */
export function openApiDocument(routes: readonly RouteSpec[]): Json {
  const paths: Record<string, Json> = {};
  for (const r of routes) (paths[openApiPath(r.url)] ??= {})[r.method.toLowerCase()] = operation(r);
  return {
    openapi: OPENAPI_VERSION,
    info: {
      title: "Vigil API",
      version: "1.0.0",
      description: "Evidence locker over a tamper-evident journal. Errors are RFC 9457 problems.",
    },
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "a token from `vigil token create`" },
      },
      schemas: { Problem: PROBLEM },
    },
  };
}
