/** /openapi.json: a valid OpenAPI 3.1 document (checked by a real validator) with every route, built from the validating schemas. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Validator } from "@seriousme/openapi-schema-validator";
import { openApiPath } from "../../src/server/openapi.js";
import { ROUTES } from "../../src/server/routes/index.js";
import { LIST_QUERY } from "../../src/server/routes/schemas.js";
import { startHarness, type Harness } from "./harness.js";

type Doc = {
  openapi: string;
  paths: Record<
    string,
    Record<string, { parameters?: { name: string; in: string; schema: unknown }[]; security?: [] }>
  >;
};

let h: Harness;
let doc: Doc;
before(async () => {
  h = await startHarness();
  const r = await h.inject({ method: "GET", url: "/openapi.json" });
  assert.equal(r.statusCode, 200, "public: no token");
  doc = r.json<Doc>();
});
after(() => h.close());

void test("the document validates as OpenAPI 3.1", async () => {
  const v = new Validator();
  const res = await v.validate(structuredClone(doc));
  assert.equal(res.valid, true, JSON.stringify(res.errors, null, 1)?.slice(0, 2000));
  assert.equal(v.version, "3.1");
  assert.equal(doc.openapi, "3.1.0");
});

void test("the validator can fail: a document with a broken operation is refused", async () => {
  const broken = structuredClone(doc) as Doc & { info?: unknown };
  (broken.paths["/healthz"] as Record<string, unknown>).get = { responses: "none" };
  assert.equal((await new Validator().validate(broken as Record<string, unknown>)).valid, false);
});

void test("every route in ROUTES is in the document, and only those", () => {
  const want = ROUTES.map((r) => `${r.method.toLowerCase()} ${openApiPath(r.url)}`).sort();
  const got = Object.entries(doc.paths)
    .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`))
    .sort();
  assert.deepEqual(got, want);
  assert.ok(ROUTES.length >= 30, `${ROUTES.length} routes`);
});

void test("parameters are the schemas the server validates with; public routes need no token", () => {
  const list = doc.paths["/v1/evidence"]?.get?.parameters ?? [];
  assert.deepEqual(
    list.map((p) => [p.name, p.in, p.schema]),
    Object.entries(LIST_QUERY.properties).map(([k, s]) => [k, "query", s]),
  );
  const proof = doc.paths["/v1/evidence/{id}/proof"]?.get?.parameters ?? [];
  assert.deepEqual(
    proof.map((p) => `${p.in}:${p.name}`),
    ["path:id", "query:anchor", "query:size"],
  );
  assert.deepEqual(doc.paths["/healthz"]?.get?.security, []);
  assert.equal(
    doc.paths["/v1/status"]?.get?.security,
    undefined,
    "the document's bearer requirement applies",
  );
});
