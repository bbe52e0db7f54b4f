/**
 * /tlog/ serves the journal in the C2SP tlog-tiles layout (c2sp.org/tlog-tiles).
 * A client on a real socket fetches the checkpoint, hash tiles and entry
 * bundles, recomputes the root and checks the signature; access rules,
 * path parsing and cache headers are checked in-process.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { gunzipSync } from "node:zlib";
import { after, before, test } from "node:test";
import type { AccessEvent } from "../../src/domains/access/access-record.js";
import { readReceipts } from "../../src/domains/access/receipts-record.js";
import { ed25519Signer, ed25519Verifier, type JournalRecord } from "../../src/journal/index.js";
import { anchorIfNew } from "../../src/server/serve.js";
import { HttpTiles } from "../../src/tlog/http-tiles.js";
import { verifyTiles } from "../../src/tlog/verify-tiles.js";
import { BIN } from "../cli/cli-helpers.js";
import { auth, startHarness, type Harness } from "./harness.js";

let h: Harness;
let all: string;
let url: string;
before(async () => {
  h = await startHarness();
  all = await h.token("admin", "*");
  const items = Array.from({ length: 300 }, (_, i) => ({
    data: Buffer.from(`artifact ${i}`).toString("base64"),
    domain: "tiles",
    name: `item-${i}`,
  }));
  const r = await h.inject({
    method: "POST",
    url: "/v1/evidence/batch",
    headers: auth(all),
    payload: { items },
  });
  assert.equal(r.statusCode, 200, r.body);
  await anchorIfNew(h.server.ctx);
  url = `${await h.server.app.listen({ host: "127.0.0.1", port: 0 })}/tlog`;
});
after(() => h.close());

const get = (path: string, token?: string) =>
  h.inject({ method: "GET", url: `/tlog/${path}`, headers: token === undefined ? {} : auth(token) });

async function receipts(): Promise<AccessEvent[]> {
  const v = h.server.ctx.vigil;
  const entries = await v.log.readEntries(0, await v.log.size());
  const records = entries.map((e) => JSON.parse(e.bytes.toString("utf8")) as JournalRecord);
  return records.flatMap((r) => readReceipts(r)?.events ?? []);
}

void test("a client over HTTP fetches checkpoint, tiles and bundles, recomputes the root and checks the signature", async () => {
  const v = h.server.ctx.vigil;
  const r = await verifyTiles(new HttpTiles(url, { token: all }), v.verifier, v.config.origin);
  assert.deepEqual(r.problems, []);
  assert.equal(r.ok, true);
  assert.equal(r.size, (await v.log.latestCheckpoint())?.size);
  assert.ok(r.bundlesChecked >= 2 && r.tilesChecked >= 3);
});

void test("the same client with another key, or without a token for the bundles, fails and says where", async () => {
  const other = ed25519Signer(h.server.ctx.vigil.config.origin, Buffer.alloc(32, 3));
  const wrong = await verifyTiles(
    new HttpTiles(url, { token: all }),
    ed25519Verifier(other.name, other.publicKey),
  );
  assert.deepEqual([wrong.ok, wrong.firstBad?.path], [false, "checkpoint"]);
  const anon = await verifyTiles(new HttpTiles(url), h.server.ctx.vigil.verifier);
  assert.equal(anon.ok, false);
  assert.deepEqual(anon.firstBad, { path: "tile/entries/000", problem: "HTTP 401" });
});

void test("checkpoint and hash tiles are public, with the spec's content types and cache headers", async () => {
  const cp = await get("checkpoint");
  assert.equal(cp.statusCode, 200);
  assert.equal(cp.headers["content-type"], "text/plain; charset=utf-8");
  assert.equal(cp.headers["cache-control"], "no-cache");
  assert.equal(cp.body, (await h.server.ctx.vigil.log.latestCheckpoint())?.note);
  const full = await get("tile/0/000");
  assert.equal(full.statusCode, 200);
  assert.equal(full.rawPayload.length, 8192);
  assert.equal(full.headers["content-type"], "application/octet-stream");
  assert.equal(full.headers["cache-control"], "public, max-age=31536000, immutable");
  const partial = await get("tile/0/001.p/1");
  assert.equal(partial.statusCode, 200);
  assert.equal(partial.rawPayload.length, 32);
  assert.equal(partial.headers["cache-control"], "public, max-age=60");
});

void test("entry bundles need log.read and an every-tenant token; each read and refusal is a receipt", async () => {
  const before = (await receipts()).length;
  assert.equal((await get("tile/entries/000")).statusCode, 401);
  const tenantAdmin = await h.token("admin", "default", "tenant-admin");
  const scoped = await get("tile/entries/000", tenantAdmin);
  assert.equal(scoped.statusCode, 403);
  assert.match(scoped.json<{ detail: string }>().detail, /need a \* token/);
  assert.equal((await get("tile/entries/000", await h.token("viewer", "default"))).statusCode, 403);
  const ok = await get("tile/entries/000", all);
  assert.equal(ok.statusCode, 200);
  assert.equal(ok.headers["cache-control"], "private, max-age=31536000, immutable");
  const auditor = await get("tile/entries/001.p/1", await h.token("auditor", "*"));
  assert.equal(auditor.statusCode, 200);
  assert.equal(auditor.headers["cache-control"], "private, max-age=60");
  const gz = await h.inject({
    method: "GET",
    url: "/tlog/tile/entries/000",
    headers: { ...auth(all), "accept-encoding": "br, gzip;q=0.5" },
  });
  assert.equal(gz.headers["content-encoding"], "gzip");
  assert.deepEqual(gunzipSync(gz.rawPayload), ok.rawPayload);
  assert.ok(gz.rawPayload.length < ok.rawPayload.length / 2);
  const refused = await h.inject({
    method: "GET",
    url: "/tlog/tile/entries/000",
    headers: { ...auth(all), "accept-encoding": "gzip;q=0, identity" },
  });
  assert.equal(refused.headers["content-encoding"], undefined);
  const seen = (await receipts()).slice(before);
  assert.deepEqual(
    seen.map((r) => [r.action, r.outcome, r.status]),
    [
      ["log.read", "denied", 403],
      ["log.read", "denied", 403],
      ["log.read", "allowed", 200],
      ["log.read", "allowed", 200],
      ["log.read", "allowed", 200],
      ["log.read", "allowed", 200],
    ],
  );
});

void test("malformed tile paths are 400 problems; well-formed ones past the checkpoint are 404", async () => {
  for (const p of [
    "tile/0/0",
    "tile/00/000",
    "tile/0/000.p/0",
    "tile/0/000.p/256",
    "tile/64/000",
    "tile/0/x000/001",
  ]) {
    const r = await get(p);
    assert.equal(r.statusCode, 400, p);
    assert.equal(r.headers["content-type"], "application/problem+json; charset=utf-8");
    assert.equal(r.json<{ code: string }>().code, "INPUT_INVALID");
  }
  const size = await h.journalSize();
  assert.equal((await get("tile/entries/0000", all)).statusCode, 400);
  assert.equal(await h.journalSize(), size, "a 400 writes no receipt");
  for (const p of ["tile/0/001", "tile/0/001.p/200", "tile/1/000.p/2", "tile/0/x001/000"]) {
    const r = await get(p);
    assert.equal(r.statusCode, 404, p);
    assert.equal(r.json<{ code: string }>().code, "NOT_FOUND");
  }
  assert.equal((await get("tile/entries/005", all)).statusCode, 404);
  assert.equal((await get("tile")).statusCode, 404);
  assert.equal((await get("checkpoint/x")).statusCode, 404);
});

void test("a fresh locker has no checkpoint yet: 404, and the client reports it", async () => {
  const fresh = await startHarness();
  try {
    const r = await fresh.inject({ method: "GET", url: "/tlog/checkpoint" });
    assert.equal(r.statusCode, 404);
    assert.equal(r.json<{ code: string }>().code, "NOT_FOUND");
  } finally {
    await fresh.close();
  }
});

/** `vigil ARGS` as a child process (asynchronously: this process serves its requests). */
async function vigil(args: string[], token?: string): Promise<{ code: number; stdout: string }> {
  const env = { ...process.env, NO_COLOR: "1", VIGIL_TOKEN: token ?? "" };
  try {
    const r = await promisify(execFile)(process.execPath, [BIN, ...args], { env });
    return { code: 0, stdout: r.stdout };
  } catch (e) {
    const x = e as { code: number; stdout: string };
    return { code: x.code, stdout: x.stdout };
  }
}

void test("vigil tlog verify follows the served log by URL (VIGIL_TOKEN for the bundles)", async () => {
  const key = h.server.ctx.vigil.verifierKey;
  const ok = await vigil(["tlog", "verify", url, "--key", key, "--json"], all);
  assert.equal(ok.code, 0, ok.stdout);
  assert.equal((JSON.parse(ok.stdout) as { ok: boolean }).ok, true);
  const anon = await vigil(["tlog", "verify", url, "--key", key]);
  assert.equal(anon.code, 1);
  assert.match(anon.stdout, /first bad: tile\/entries\/000 \(HTTP 401\)/);
});
