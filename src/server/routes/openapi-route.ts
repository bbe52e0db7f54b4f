import { openApiDocument } from "../openapi.js";
import type { RouteSpec } from "../route.js";

/** GET /openapi.json over the route table `routes()` gives (read on first request, then kept). */
export function openApiRoute(routes: () => readonly RouteSpec[]): RouteSpec {
  let doc: object | null = null;
  return {
    method: "GET",
    url: "/openapi.json",
    summary: "this API as an OpenAPI 3.1 document, generated from the route table",
    action: null,
    access: false,
    schema: { responses: { 200: { description: "the document" } } },
    handler: async () => (doc ??= openApiDocument(routes())),
  };
}
