/**
 * Every route in ROUTES x every role x own tenant and another tenant:
 * the answer the access table expects. Refusals on evidence routes leave
 * exactly one receipt (so do their answers); other routes leave none; a
 * request without a token is 401 and writes nothing. A route missing from
 * the table fails the first test.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import type { InjectOptions } from "fastify";
import { ROLES } from "../../src/domains/access/roles.js";
import type { RouteSpec } from "../../src/server/route.js";
import { ROUTES } from "../../src/server/routes/index.js";
import { ACCESS_TABLE, type Expectation, type Fixture } from "./access-table.js";
import { auth, startHarness, upload, type Harness } from "./harness.js";

const LETTER = { admin: "A", operator: "O", auditor: "U", producer: "P", viewer: "V" } as const;
const key = (r: RouteSpec) => `${r.method} ${r.url}`;

let h: Harness;
let fx: Fixture;
const tokens = new Map<string, string>();
before(async () => {
  h = await startHarness();
  for (const role of ROLES)
    for (const tenant of ["alpha", "beta"]) tokens.set(`${role}/${tenant}`, await h.token(role, tenant));
  const admin = tokens.get("admin/alpha") as string;
  const add = async () => {
    const r = await h.inject(upload(admin, randomBytes(100), { domain: "mx", name: "fixture" }));
    assert.equal(r.statusCode, 201, r.body);
    return r.json<{ id: string }>().id;
  };
  const id = await add();
  for (let i = 0; i < 2; i++) await h.inject({ method: "POST", url: "/v1/anchors", headers: auth(admin) });
  await h.inject({ method: "POST", url: "/v1/verify", headers: auth(admin), payload: { sample: 2 } });
  fx = {
    id,
    async fresh(held = false) {
      const fresh = await add();
      if (held)
        await h.inject({
          method: "POST",
          url: `/v1/evidence/${fresh}/hold`,
          headers: auth(admin),
          payload: { reason: "x" },
        });
      return fresh;
    },
  };
});
after(() => h.close());

void test("every route in ROUTES has an entry in the access table, and every entry a route", () => {
  const routes = ROUTES.map(key).sort();
  assert.deepEqual(
    routes.filter((k) => !(k in ACCESS_TABLE)),
    [],
    "routes without an entry",
  );
  assert.deepEqual(
    Object.keys(ACCESS_TABLE).filter((k) => !routes.includes(k)),
    [],
    "entries without a route",
  );
});

function expected(e: Expectation, role: keyof typeof LETTER, own: boolean): readonly number[] {
  if (!e.public && !e.roles.includes(LETTER[role])) return [403];
  if (!own && e.foreign === "404") return [404];
  return [e.ok].flat();
}

async function cell(route: RouteSpec, e: Expectation, role: keyof typeof LETTER, own: boolean) {
  const req: InjectOptions = await e.req(fx);
  const token = tokens.get(`${role}/${own ? "alpha" : "beta"}`) as string;
  const [size, receipts] = [await h.journalSize(), h.server.ctx.writer.receipts];
  const r = await h.inject({ ...req, headers: { ...(req.headers as object), ...auth(token) } });
  const what = `${key(route)} as ${role} of ${own ? "its own" : "another"} tenant -> ${r.statusCode} ${r.body.slice(0, 200)}`;
  assert.ok(expected(e, role, own).includes(r.statusCode), what);
  const wrote = h.server.ctx.writer.receipts - receipts;
  assert.equal(wrote, route.access ? 1 : 0, `receipts: ${what}`);
  if (r.statusCode >= 400) {
    assert.equal((await h.journalSize()) - size, wrote, `a refusal wrote more than its receipt: ${what}`);
    assert.match(String(r.headers["content-type"]), /^application\/problem\+json/, what);
  }
  if (!own && r.statusCode < 400 && e.echoes !== true)
    assert.ok(
      !r.rawPayload.toString("latin1").includes(fx.id.slice(7)),
      `another tenant's id leaked: ${what}`,
    );
}

for (const route of ROUTES) {
  const e = ACCESS_TABLE[key(route)];
  if (e === undefined) continue; // the first test names it
  void test(`access matrix: ${key(route)}`, async () => {
    for (const role of ROLES) for (const own of [true, false]) await cell(route, e, role, own);
  });
}

void test("without a token every non-public route is 401 and writes nothing; public ones answer", async () => {
  for (const route of ROUTES) {
    const e = ACCESS_TABLE[key(route)];
    if (e === undefined) continue; // the first test names it
    const req = await e.req(fx);
    const [size, receipts] = [await h.journalSize(), h.server.ctx.writer.receipts];
    const r = await h.inject(req);
    const what = `${key(route)} without a token -> ${r.statusCode}`;
    if (e.public) assert.ok([e.ok].flat().includes(r.statusCode), what);
    else {
      assert.equal(r.statusCode, 401, what);
      assert.equal(r.json<{ code: string }>().code, "UNAUTHENTICATED", what);
    }
    assert.equal(await h.journalSize(), size, `wrote: ${what}`);
    assert.equal(h.server.ctx.writer.receipts, receipts, what);
  }
});
