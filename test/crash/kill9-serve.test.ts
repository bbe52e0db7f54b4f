/**
 * kill -9 of `vigil serve` in the middle of a burst of concurrent uploads
 * over real HTTP (single uploads, small and file-sized, and batches): every
 * artifact that was answered 201 (or 200 for a batch) is there after a
 * restart on the same locker, byte for byte, and the locker passes
 * `verify --mode full` after every kill.
 */
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { killAfterAcks, serve, vigil, type Killer } from "./crash-helpers.js";

/** Acknowledged artifacts before the kill, per round: from the first few to several group commits. */
const KILL_AFTER = [5, 120, 400];
const WORKERS = 12;

interface Acked {
  readonly id: string;
  readonly bytes: Buffer;
}

const idOf = (b: Buffer) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** One worker's next request: a batch of small artifacts, a file-sized one, or a small one. */
function nextRequest(base: string, n: number): { url: string; init: RequestInit; items: Buffer[] } {
  if (n % 7 === 3) {
    const items = Array.from({ length: 20 }, () => randomBytes(512));
    const body = {
      items: items.map((b, i) => ({ data: b.toString("base64"), domain: "crash", name: `b${i}` })),
    };
    const init = {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "content-type": "application/json" },
    };
    return { url: `${base}/v1/evidence/batch`, init, items };
  }
  const bytes = randomBytes(n % 5 === 1 ? 200 * 1024 : 1024);
  const init = { method: "POST", body: bytes, headers: { "content-type": "application/octet-stream" } };
  return { url: `${base}/v1/evidence?domain=crash&name=single`, init, items: [bytes] };
}

/** Uploads from WORKERS loops until the server dies (the killer decides when); counts what was acknowledged. */
async function burst(base: string, token: string, killer: Killer, acked: Acked[]) {
  let inflight = 0;
  let inflightAtKill = -1;
  let other = 0;
  const worker = async (w: number) => {
    for (let n = w; ; n += WORKERS) {
      const { url, init, items } = nextRequest(base, n);
      const headers = { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` };
      inflight++;
      try {
        const r = await fetch(url, { ...init, headers });
        // The status line is sent only once the commit is durable; the body may be cut by the kill.
        if (r.status === 201 || (r.status === 200 && url.endsWith("batch")))
          for (const bytes of items) acked.push({ id: idOf(bytes), bytes });
        else other++;
        await r.arrayBuffer().catch(() => undefined);
      } catch {
        return;
      } finally {
        inflight--;
      }
      killer.tick();
      if (killer.killed && inflightAtKill < 0) inflightAtKill = inflight;
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, (_, w) => worker(w)));
  return { inflightAtKill, other };
}

async function readBack(base: string, token: string, acked: readonly Acked[], round: number) {
  for (let i = 0; i < acked.length; i += 16)
    await Promise.all(
      acked.slice(i, i + 16).map(async ({ id, bytes }) => {
        const r = await fetch(`${base}/v1/evidence/${id}`, { headers: { authorization: `Bearer ${token}` } });
        assert.equal(r.status, 200, `round ${round}: acknowledged ${id} is gone (${r.status})`);
        assert.ok(
          Buffer.from(await r.arrayBuffer()).equals(bytes),
          `round ${round}: ${id} reads back different`,
        );
      }),
    );
}

void test(
  "kill -9 of the server mid-burst: every acknowledged upload survives a restart",
  { timeout: 300_000 },
  async (t) => {
    const root = mkdtempSync(join(tmpdir(), "vigil-kill9-serve-"));
    const data = join(root, "locker");
    try {
      assert.equal(vigil(data, "init").status, 0);
      const made = vigil(data, "--json", "token", "create", "--role", "admin", "--name", "crash");
      const token = (JSON.parse(made.stdout) as { token: string }).token;
      const acked: Acked[] = [];
      // No rate limit in the way: every refusal would be a failed upload, not a crash finding.
      const config = join(root, "server.json");
      writeFileSync(config, JSON.stringify({ rateLimit: { perSecond: 1_000_000, burst: 1_000_000 } }));
      for (const [round, target] of KILL_AFTER.entries()) {
        const s = await serve(data, config, { VIGIL_ANCHOR_INTERVAL_MS: "200" });
        const before = acked.length;
        const killer = killAfterAcks(s.child, before + target, () => acked.length);
        const { inflightAtKill, other } = await burst(s.url, token, killer, acked);
        await s.exited;
        assert.equal(other, 0, `round ${round}: uploads answered neither 201 nor 200`);
        assert.ok(killer.killed && inflightAtKill > 0, `round ${round}: the kill did not land mid-burst`);
        t.diagnostic(
          `round ${round}: killed after ${acked.length - before} acks, ${inflightAtKill} in flight`,
        );
        const verify = vigil(data, "--json", "verify", "--mode", "full");
        assert.equal(
          verify.status,
          0,
          `round ${round}: verify after kill: ${verify.stdout.slice(0, 2000)} ${verify.stderr}`,
        );
        const again = await serve(data, config);
        try {
          await readBack(again.url, token, acked, round);
        } finally {
          again.child.kill("SIGTERM");
          await again.exited;
        }
      }
      assert.ok(
        acked.length >= KILL_AFTER.reduce((a, b) => a + b),
        "fewer acknowledgements than kill targets",
      );
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
