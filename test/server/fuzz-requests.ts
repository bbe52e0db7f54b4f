/**
 * fast-check generators of malformed API requests for the fuzz test. Each
 * family breaks a request that would otherwise be valid in one or more ways
 * the server must refuse; routes come from the route table, so a new route is
 * fuzzed without an edit here.
 */
import fc from "fast-check";
import type { InjectOptions } from "fastify";
import type { RouteSpec } from "../../src/server/route.js";
import { ROUTES } from "../../src/server/routes/index.js";

/** An injected request whose method and url are plain strings (to report and match routes). */
export type FuzzRequest = InjectOptions & { readonly method: string; readonly url: string };

export interface FuzzTargets {
  /** An admin token of the default tenant. */
  readonly admin: string;
  /** An admin token for every tenant (it names one in Vigil-Tenant). */
  readonly everyTenant: string;
  /** Refused tokens: revoked, expired, of a valid shape but unknown. */
  readonly refused: readonly string[];
  /** An artifact that exists (so a refusal is not just "no such artifact"). */
  readonly artifact: string;
}

const HEX = "0123456789abcdef";
const hex = (n: number) => fc.string({ unit: fc.constantFrom(...HEX), minLength: n, maxLength: n });
const ascii = (max: number) => fc.string({ unit: "binary-ascii", maxLength: max });

/** Routes chosen by `keep`, their :id filled by a real artifact. */
export function routeUrls(
  t: FuzzTargets,
  keep: (r: RouteSpec) => boolean,
): { method: string; url: string }[] {
  return ROUTES.filter(keep).map((r) => ({ method: r.method, url: r.url.replace(":id", t.artifact) }));
}

const needsToken = (r: RouteSpec) => r.action !== null;

/** Authorization values that must all be 401: missing, malformed, unknown, revoked, expired. */
function badAuthorization(t: FuzzTargets): fc.Arbitrary<string | undefined> {
  const secret = fc.string({ unit: fc.constantFrom(..."abcXYZ09_-"), minLength: 43, maxLength: 43 });
  return fc.oneof(
    fc.constant(undefined),
    fc.constantFrom("", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "bearer  ", "Token abc", "Bearer a b"),
    ascii(80),
    ascii(60).map((s) => `Bearer ${s}`),
    fc.tuple(hex(12), secret).map(([id, s]) => `Bearer tok_${id}.${s}`),
    fc.constantFrom(...t.refused).map((tok) => `Bearer ${tok}`),
    fc.constantFrom(...t.refused).map((tok) => `Bearer ${tok.slice(0, -1)}${tok.endsWith("A") ? "B" : "A"}`),
    fc.constant(`Bearer ${t.admin}`).map((a) => a.replace(".", "..")),
    fc.integer({ min: 1000, max: 12_000 }).map((n) => `Bearer tok_${"a".repeat(n)}`),
  );
}

export function badAuth(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc.tuple(fc.constantFrom(...routeUrls(t, needsToken)), badAuthorization(t)).map(([r, a]) => ({
    method: r.method as "GET",
    url: r.url,
    headers: a === undefined ? {} : { authorization: a },
    ...(r.method === "POST" ? { payload: { reason: "x" } } : {}),
  }));
}

/** Ids that are not a sha256 digest, and paths that try to climb or smuggle. */
const BAD_IDS = fc.oneof(
  fc.constantFrom(
    "..",
    "%2e%2e",
    "..%2f..%2fetc%2fpasswd",
    "..%5c..%5cwindows",
    "%00",
    "sha256%3a" + "0".repeat(64),
    "sha256:" + "0".repeat(63) + "%00",
    "SHA256:" + "a".repeat(64),
    "sha256:" + "A".repeat(64),
    "sha512:" + "a".repeat(128),
    "%zz",
    "%",
    "%c0%ae%c0%ae",
    "\u00e9t\u00e9",
    "%F0%9F%92%A9",
    " ",
    "%20",
    "a%2Fb",
    "null",
    "undefined",
    "__proto__",
    "constructor",
  ),
  hex(63),
  hex(65),
  hex(64).map((h) => `sha256:${h}x`),
  hex(64).map((h) => `sha256:sha256:${h}`),
  fc.integer({ min: 257, max: 5000 }).map((n) => "a".repeat(n)),
  ascii(70).map(encodeURIComponent),
);

const SUFFIXES = ["", "/", "/meta", "/provenance", "/hold", "/release", "/mark-corrupted", "/x", "/../meta"];

export function badPath(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom("GET", "POST", "DELETE", "PUT", "PATCH"), BAD_IDS, fc.constantFrom(...SUFFIXES))
    .map(([method, id, suffix]) => ({
      method: method as "GET",
      url: `/v1/evidence/${id}${suffix}`,
      headers: { authorization: `Bearer ${t.admin}` },
      ...(method === "GET" || method === "DELETE" ? {} : { payload: { reason: "fuzz" } }),
    }));
}

/** Bodies that are not JSON, or JSON of the wrong shape, for the JSON routes. */
function badJsonBody(): fc.Arbitrary<string> {
  const item = fc.dictionary(
    fc.constantFrom("data", "domain", "name", "labels", "parents", "date", "ext", "tenant", "extra"),
    fc.jsonValue({ maxDepth: 2 }),
  );
  return fc.oneof(
    fc.constantFrom("", "{", "}", "[]", "null", "true", "0", '"x"', "{items:[]}", '{"items":[]}', "\u0000"),
    fc.constantFrom(
      '{"reason":""}',
      `{"reason":"${"r".repeat(501)}"}`,
      '{"reason":1}',
      '{"reason":"a","x":1}',
    ),
    ascii(200),
    fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
    fc.array(item, { minLength: 1, maxLength: 4 }).map((items) => JSON.stringify({ items })),
    fc.constant('{"items":[{"data":"AA==","domain":"d","name":"n"}],"extra":1}'),
    fc.constant('{"__proto__":{"reason":"x"}}'),
    fc.constant('{"items":[{"data":"AA==","domain":"d","name":"n","__proto__":{"x":1}}]}'),
    fc.integer({ min: 1, max: 4000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  );
}

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "image/png",
  "application/problem+json",
  "",
  ";;;",
  "application/json\u0000",
];

export function badBody(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const jsonRoutes = routeUrls(t, (r) => r.action !== null && r.schema?.body !== undefined);
  return fc
    .tuple(fc.constantFrom(...jsonRoutes), badJsonBody(), fc.constantFrom(...CONTENT_TYPES))
    .filter(([r, body]) => !validByChance(r.url, body))
    .map(([r, body, type]) => ({
      method: "POST" as const,
      url: r.url,
      headers: { authorization: `Bearer ${t.admin}`, ...(type === "" ? {} : { "content-type": type }) },
      payload: body,
    }));
}

/** A generated body that happens to be a valid request (fuzzing is not meant to hold it). */
function validByChance(url: string, body: string): boolean {
  try {
    const v = JSON.parse(body) as { reason?: unknown };
    if (url === "/v1/anchors" || url === "/v1/verify")
      return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 0;
    return !url.endsWith("batch") && Object.keys(v).length === 1 && typeof v.reason === "string";
  } catch {
    return false;
  }
}

/** One query parameter that the upload and list routes both refuse. */
const BAD_PARAM = fc.oneof(
  fc.constantFrom(
    "unknown=1",
    "limit=abc",
    "limit=0",
    "limit=-1",
    "limit=1.5",
    "limit=99999999",
    "limit[]=1",
    "label=noequals",
    "label==v",
    "__proto__=x",
    "constructor[prototype]=x",
    "domain=a&domain=b",
    `domain=${"d".repeat(65)}`,
    `kind=${"k".repeat(65)}`,
    "%zz=1",
  ),
  fc.integer({ min: 107, max: 300 }).map((n) => `label=${"l".repeat(n)}=${"v".repeat(n * 2)}`),
  fc.integer({ min: 257, max: 300 }).map((n) => Array.from({ length: n }, () => "label=a=b").join("&")),
);

/** A few harmless or valid-looking parameters around the bad one. */
const NOISE = fc.array(fc.constantFrom("domain=fuzz", "name=n", "kind=generic", "", "&", "subdomain=s"), {
  maxLength: 4,
});

export function badQuery(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(fc.constantFrom("GET", "POST"), BAD_PARAM, NOISE, fc.nat())
    .map(([method, bad, noise, at]) => {
      const parts: string[] = [...noise];
      parts.splice(at % (parts.length + 1), 0, bad);
      return {
        method: method as "GET",
        url: `/v1/evidence?${parts.join("&")}`,
        headers: {
          authorization: `Bearer ${t.admin}`,
          ...(method === "POST" ? { "content-type": "application/octet-stream" } : {}),
        },
        ...(method === "POST" ? { payload: Buffer.from("fuzz body") } : {}),
      };
    });
}

/** Header abuse on a tenant-scoped (receipted) route: a bad tenant header, many or huge headers. */
export function badHeaders(t: FuzzTargets): fc.Arbitrary<FuzzRequest> {
  const tenant = fc.oneof(
    fc.constantFrom("Other Tenant", "", "..", "a/b", "*", "other", "\u00e9"),
    ascii(80).filter((s) => !/^[a-z0-9][a-z0-9._-]{0,63}$/.test(s)),
  );
  const many = fc.integer({ min: 100, max: 400 }).map((n) => {
    const h: Record<string, string> = {};
    for (let i = 0; i < n; i++) h[`x-fuzz-${i}`] = "v".repeat(50);
    return h;
  });
  return fc
    .tuple(
      fc.constantFrom(...routeUrls(t, (r) => r.access)),
      tenant,
      fc.constantFrom(t.admin, t.everyTenant),
      fc.option(many),
    )
    .filter(([, ten, token]) => !(token === t.everyTenant && /^[a-z0-9][a-z0-9._-]{0,63}$/.test(ten)))
    .map(([r, ten, token, extra]) => ({
      method: r.method as "GET",
      url: r.url,
      headers: { ...extra, authorization: `Bearer ${token}`, "vigil-tenant": ten },
      ...(r.method === "POST" ? { payload: { reason: "x" } } : {}),
    }));
}
