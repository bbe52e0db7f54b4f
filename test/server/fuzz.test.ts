/**
 * Thousands of malformed requests against the in-process server (fixed
 * seeds, so a failure replays): every answer is a 4xx problem with a code
 * from the closed table and the status that table gives it, the server
 * keeps serving, and nothing is written except the access receipts the
 * README documents (an authenticated request that reached an evidence
 * route; a 400 or 401 writes nothing).
 */
import assert from "node:assert/strict";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import fc from "fast-check";
import type { LightMyRequestResponse } from "fastify";
import { ERROR_CODES } from "../../src/errors.js";
import { HTTP_CODES, problem, type HttpCode } from "../../src/server/problem.js";
import { ROUTES } from "../../src/server/routes/index.js";
import {
  badAuth,
  badBody,
  badHeaders,
  badPath,
  badQuery,
  type FuzzRequest,
  type FuzzTargets,
} from "./fuzz-requests.js";
import { auth, startHarness, upload, type Harness } from "./harness.js";

const SEED = 20261203;
const RUNS = Number(process.env.VIGIL_FUZZ_RUNS ?? 600);
/** Statuses that must leave nothing in the journal (README, "Access receipts"). */
const SILENT = new Set([400, 401, 405, 408, 413, 414, 415, 429, 431]);

let h: Harness;
let t: FuzzTargets;
before(async () => {
  h = await startHarness({ rateLimit: { perSecond: 10_000_000, burst: 10_000_000 }, uploadLimit: 4096 });
  const admin = await h.token("admin");
  const everyTenant = await h.token("admin", "*", "every-tenant");
  const revoked = await h.token("admin", "default", "revoked");
  await h.revoke(revoked);
  const expired = await h.token("admin", "default", "expired", "2020-01-01T00:00:00Z");
  const r = await h.inject(upload(admin, "the one artifact", { domain: "fuzz", name: "one" }));
  assert.equal(r.statusCode, 201, r.body);
  t = { admin, everyTenant, refused: [revoked, expired], artifact: r.json<{ id: string }>().id };
});
after(() => h.close());

function routeOf(url: string, method: string) {
  const path = url.split("?")[0] ?? "";
  return ROUTES.find((r) => {
    const re = new RegExp(`^${r.url.replace(":id", "[^/]+")}$`);
    return r.method === method && re.test(path);
  });
}

/** The checks every answer must pass; returns the problem's code. */
function checkAnswer(req: FuzzRequest, res: LightMyRequestResponse, wrote: number, receipts: number): string {
  const what = `${req.method} ${req.url.slice(0, 120)} -> ${res.statusCode} ${res.body.slice(0, 300)}`;
  assert.ok(res.statusCode >= 400 && res.statusCode < 500, what);
  assert.match(String(res.headers["content-type"]), /^application\/problem\+json/, what);
  const p = res.json<{ code: string; status: number; type: string; title: string; detail: string }>();
  assert.ok(p.code in HTTP_CODES || p.code in ERROR_CODES, `unknown code: ${what}`);
  assert.equal(problem(p.code as HttpCode, "").status, res.statusCode, `status not the code's: ${what}`);
  assert.equal(p.status, res.statusCode, what);
  assert.equal(typeof p.detail, "string", what);
  assert.equal(wrote, receipts, `wrote something besides receipts: ${what}`);
  if (SILENT.has(res.statusCode)) assert.equal(receipts, 0, `a ${res.statusCode} wrote a receipt: ${what}`);
  else assert.ok(receipts <= 1, `more than one receipt: ${what}`);
  const route = routeOf(req.url, req.method);
  if (res.statusCode === 403 && route?.access === true)
    assert.equal(receipts, 1, `an authenticated refusal left no receipt: ${what}`);
  return p.code;
}

async function send(req: FuzzRequest): Promise<string> {
  const size = await h.journalSize();
  const receipts = h.server.ctx.writer.receipts;
  const res = await h.inject(req);
  return checkAnswer(req, res, (await h.journalSize()) - size, h.server.ctx.writer.receipts - receipts);
}

async function stillServes(): Promise<void> {
  const body = `still serving ${Math.random()}`;
  const r = await h.inject(upload(t.admin, body, { domain: "fuzz", name: "after" }));
  assert.equal(r.statusCode, 201, r.body);
  const got = await h.inject({
    method: "GET",
    url: `/v1/evidence/${r.json<{ id: string }>().id}`,
    headers: auth(t.admin),
  });
  assert.equal(got.body, body);
}

const FAMILIES = { badAuth, badPath, badBody, badQuery, badHeaders };
/** Every family must draw exactly these answers (each at least once): a family that drifts fails. */
const EXPECTED: Readonly<Record<keyof typeof FAMILIES, readonly string[]>> = {
  badAuth: ["UNAUTHENTICATED"],
  badPath: ["INPUT_INVALID", "ROUTE_NOT_FOUND", "URI_TOO_LONG"],
  badBody: ["INPUT_INVALID", "UNSUPPORTED_MEDIA_TYPE"],
  badQuery: ["INPUT_INVALID"],
  badHeaders: ["FORBIDDEN", "INPUT_INVALID"],
};

for (const [name, family] of Object.entries(FAMILIES))
  void test(`fuzz ${name}: ${RUNS} malformed requests, each a 4xx problem, nothing written`, async () => {
    const codes = new Map<string, number>();
    const run = await fc.check(
      fc.asyncProperty(family(t), async (req) => {
        const code = await send(req);
        codes.set(code, (codes.get(code) ?? 0) + 1);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
    // The failing request is in the message (shortened); the whole of it replays from seed and path.
    if (run.failed)
      assert.fail(
        `seed ${SEED} path ${run.counterexamplePath}: ${String((run.errorInstance as Error).message)}`,
      );
    const want = EXPECTED[name as keyof typeof FAMILIES];
    assert.deepEqual([...codes.keys()].sort(), [...want].sort(), `${name}: the codes answered`);
    await stillServes();
  });

void test("uploads over the limit are 413 and leave nothing behind", async () => {
  for (const n of [4097, 10_000, 100_000]) {
    const size = await h.journalSize();
    const r = await h.inject(upload(t.admin, Buffer.alloc(n, 7), { domain: "fuzz", name: "big" }));
    assert.equal(r.statusCode, 413, r.body);
    assert.equal(r.json<{ code: string }>().code, "PAYLOAD_TOO_LARGE");
    assert.equal(await h.journalSize(), size);
  }
  await stillServes();
});

/** One raw HTTP exchange on a socket: the status line, headers and body as text. */
function raw(url: string, bytes: string | Buffer): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: hostname, port: Number(port) });
    let out = "";
    s.setEncoding("latin1").on("data", (d: string) => (out += d));
    s.on("error", (e: NodeJS.ErrnoException) => (e.code === "ECONNRESET" ? resolve(out) : reject(e)));
    s.on("close", () => resolve(out));
    s.write(bytes);
  });
}

void test("over a real socket: oversized headers and broken HTTP are problems too, and the server keeps serving", async () => {
  const url = await h.server.app.listen({ host: "127.0.0.1", port: 0 });
  const size = await h.journalSize();
  const cases: [string, string, number][] = [
    ["huge header", `GET /v1/evidence HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(40_000)}\r\n\r\n`, 431],
    [
      "many headers",
      `GET /healthz HTTP/1.1\r\nHost: x\r\n${"X-Aaaaaaaa: bbbbbbbbbbbbbbbbbbbbbbbb\r\n".repeat(800)}\r\n`,
      431,
    ],
    ["garbage", "\u0001\u0002 not http at all\r\n\r\n", 400],
    ["bad request line", "GET\r\n\r\n", 400],
    ["bad header", "GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n", 400],
    ["bad content-length", "POST /v1/evidence HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n", 400],
    [
      "two content-lengths",
      "POST /v1/evidence HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
      400,
    ],
  ];
  for (const [what, bytes, status] of cases) {
    const answer = await raw(url, bytes);
    assert.match(answer, new RegExp(`^HTTP/1\\.1 ${status} `), `${what}: ${answer.slice(0, 200)}`);
    assert.match(answer, /content-type: application\/problem\+json/i, `${what}: ${answer.slice(0, 300)}`);
    const body = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4)) as { status: number; code: string };
    assert.equal(body.status, status, what);
    assert.equal(problem(body.code as HttpCode, "").status, status, what);
  }
  assert.equal(await h.journalSize(), size);
  const ok = await fetch(`${url}/healthz`);
  assert.equal(ok.status, 200);
  await stillServes();
});
