/** The authentication cache: rows reused for at most a TTL, revocation honoured within it, misses never cached. */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { projectAll } from "../../src/app/projection.js";
import { TOKEN_CACHE_TTL_MS, TokenCache } from "../../src/domains/access/token-cache.js";
import { authenticate, revokeToken, type Principal } from "../../src/domains/access/tokens.js";
import { auth, startHarness, type Harness } from "./harness.js";

let h: Harness;
before(async () => {
  h = await startHarness();
});
after(() => h.close());

const deps = () => {
  const v = h.server.ctx.vigil;
  return { log: v.log, tokens: v.tokens, clock: v.clock, project: projectAll };
};
const idOf = (token: string) => token.slice(0, token.indexOf("."));

void test("a cached row is reused until its TTL, then re-read (a revocation shows); forget() drops it at once", async () => {
  let now = 1_000_000;
  const cache = new TokenCache(h.server.ctx.vigil.tokens, () => now, 1000);
  const id = idOf(await h.token("viewer", "default", "cached"));
  assert.equal((await cache.getToken(id))?.revokedAt, null);
  await revokeToken(deps(), id, "test");
  now += 999;
  assert.equal((await cache.getToken(id))?.revokedAt, null, "within the TTL the row may be stale");
  now += 2;
  assert.notEqual((await cache.getToken(id))?.revokedAt, null, "after the TTL the revocation is seen");
  const other = idOf(await h.token("viewer", "default", "forgotten"));
  await cache.getToken(other);
  await revokeToken(deps(), other, "test");
  cache.forget(other);
  assert.notEqual((await cache.getToken(other))?.revokedAt, null);
});

void test("an unknown id is not cached (asked again each time); a found row is read once per TTL", async () => {
  const real = h.server.ctx.vigil.tokens;
  let reads = 0;
  const counting = {
    getToken: (id: string) => (reads++, real.getToken(id)),
    listTokens: (t?: string) => real.listTokens(t),
  };
  const cache = new TokenCache(counting, () => 5, 60_000);
  assert.equal(await cache.getToken("tok_doesnotexist00"), null);
  assert.equal(await cache.getToken("tok_doesnotexist00"), null);
  assert.equal(reads, 2);
  const id = idOf(await h.token("viewer", "default", "read-once"));
  for (let i = 0; i < 5; i++) assert.equal((await cache.getToken(id))?.id, id);
  assert.equal(reads, 3);
});

void test("through the server: a revoked token is refused within the TTL", async () => {
  const token = await h.token("admin", "default", "soon-revoked");
  const list = { method: "GET" as const, url: "/v1/evidence", headers: auth(token) };
  assert.equal((await h.inject(list)).statusCode, 200);
  await revokeToken(deps(), idOf(token), "left the team");
  await new Promise((r) => setTimeout(r, TOKEN_CACHE_TTL_MS + 50));
  const r = await h.inject(list);
  assert.equal(r.statusCode, 401, r.body);
  assert.match(r.body, /revoked/);
});

void test("a proven token skips the secret check while its row is cached; a wrong secret, forget() and the TTL end it", async () => {
  let now = 2_000_000;
  const cache = new TokenCache(h.server.ctx.vigil.tokens, () => now, 1000);
  const token = await h.token("viewer", "default", "proven");
  const id = idOf(token);
  const at = new Date("2026-01-01T00:00:00Z");
  assert.equal(cache.provenRow(token), null, "nothing proven before a request");
  assert.equal(((await authenticate(cache, token, at, cache)) as Principal).tokenId, id);
  assert.equal(cache.provenRow(token)?.id, id, "the first request proved it");
  const wrong = `${id}.${"A".repeat(43)}`;
  assert.equal(await authenticate(cache, wrong, at, cache), "unknown");
  assert.equal(cache.provenRow(wrong), null, "a wrong secret is never remembered");
  cache.forget(id);
  assert.equal(cache.provenRow(token), null, "forget() ends it with the row");
  await authenticate(cache, token, at, cache);
  now += 1001;
  assert.equal(cache.provenRow(token), null, "so does the row's TTL");
  await revokeToken(deps(), id, "test");
  assert.equal(await authenticate(cache, token, at, cache), "revoked", "the re-read row is checked");
  assert.equal(await authenticate(cache, token, at, cache), "revoked", "and checked again when proven");
});

void test("only a row the cache holds can be proven", async () => {
  const cache = new TokenCache(h.server.ctx.vigil.tokens, () => 7, 1000);
  const token = await h.token("viewer", "default", "uncached");
  const row = await h.server.ctx.vigil.tokens.getToken(idOf(token));
  assert.ok(row !== null);
  cache.prove(token, row);
  assert.equal(cache.provenRow(token), null, "a row not read through the cache");
  const cached = await cache.getToken(idOf(token));
  cache.prove(token, { ...row });
  assert.equal(cache.provenRow(token), null, "a copy is not the cached row");
  cache.prove(token, cached as typeof row);
  assert.equal(cache.provenRow(token), cached);
});
