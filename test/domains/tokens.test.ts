/** API tokens: creation records only a hash, authentication refuses every bad token for its own reason. */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil } from "../../src/app/vigil.js";
import { allows, ROLES } from "../../src/domains/access/roles.js";
import {
  authenticate,
  createToken,
  parseTokenRequest,
  revokeToken,
} from "../../src/domains/access/tokens.js";
import type { Clock } from "../../src/clock.js";

const root = mkdtempSync(join(tmpdir(), "vigil-tokens-"));
after(() => rmSync(root, { recursive: true, force: true }));
let now = new Date("2026-12-01T00:00:00Z");
const clock: Clock = { now: () => now };
initLocker(join(root, "l"), clock);
const v = openVigil(join(root, "l"), { clock });
after(() => v.close());
const deps = { log: v.log, tokens: v.tokens, clock, project: projectAll };
const req = (o: Record<string, unknown>) =>
  parseTokenRequest({ name: "ci", role: "producer", tenant: "acme", expiresAt: null, ...o }, "t");

void test("a created token authenticates as its role and tenant; the journal holds only the secret's hash", async () => {
  const t = await createToken(deps, req({}));
  const p = await authenticate(v.tokens, t.token, now);
  assert.deepEqual(p, { tokenId: t.id, name: "ci", role: "producer", tenant: "acme" });
  const secret = t.token.split(".")[1] as string;
  const db = readFileSync(join(root, "l", "vigil.db"));
  const wal = readFileSync(join(root, "l", "vigil.db-wal"));
  assert.equal(db.includes(secret) || wal.includes(secret), false, "the secret is stored nowhere");
});

void test("wrong secret, malformed, missing, revoked and expired tokens are refused, each for its reason", async () => {
  const t = await createToken(deps, req({ expiresAt: "2026-12-02T00:00:00Z" }));
  const [id, secret] = t.token.split(".") as [string, string];
  const flipped = `${id}.${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
  assert.equal(await authenticate(v.tokens, flipped, now), "unknown");
  assert.equal(await authenticate(v.tokens, "tok_zzzzzzzzzz.short", now), "malformed");
  assert.equal(await authenticate(v.tokens, `tok_nosuchtoken1.${secret}`, now), "unknown");
  assert.equal(await authenticate(v.tokens, undefined, now), "missing");
  assert.equal(await authenticate(v.tokens, t.token, new Date("2026-12-02T00:00:00Z")), "expired");
  await revokeToken(deps, t.id, "leaked in a log");
  assert.equal(await authenticate(v.tokens, t.token, now), "revoked");
  await assert.rejects(revokeToken(deps, t.id, "again"), /already revoked/);
});

void test("tokens survive an index rebuild: they are a projection of journal records", async () => {
  const t = await createToken(deps, req({ name: "rebuilt" }));
  const before = await v.tokens.listTokens();
  v.maintenance.rebuild((b) => JSON.parse(b.toString()) as never, projectAll);
  assert.deepEqual(await v.tokens.listTokens(), before);
  assert.equal(typeof (await authenticate(v.tokens, t.token, now)), "object");
  now = new Date("2026-12-01T00:00:01Z");
});

void test("token requests are parsed with every problem named; '*' is for admin and auditor only", () => {
  assert.throws(
    () => req({ role: "root", name: "", tenant: "Bad Tenant", expiresAt: "soon" }),
    (e: Error) => {
      for (const w of ["name must", "role must", "tenant must", "expiresAt must"])
        assert.match(e.message, new RegExp(w));
      return true;
    },
  );
  assert.throws(() => req({ role: "producer", tenant: "*" }), /admin and auditor tokens only/);
  assert.equal(req({ role: "auditor", tenant: "*" }).tenant, "*");
});

void test("roles: producers only write, auditors read and export but never write, viewers see metadata only", () => {
  assert.deepEqual(
    ROLES.filter((r) => allows(r, "evidence.write")),
    ["admin", "operator", "producer"],
  );
  assert.deepEqual(
    ROLES.filter((r) => allows(r, "evidence.read")),
    ["admin", "operator", "auditor"],
  );
  assert.deepEqual(
    ROLES.filter((r) => allows(r, "pack.export")),
    ["admin", "operator", "auditor"],
  );
  assert.deepEqual(
    ROLES.filter((r) => allows(r, "audit.read")),
    ["admin", "auditor"],
  );
  assert.equal(allows("viewer", "evidence.list"), true);
  assert.equal(allows("producer", "evidence.list"), false);
});
