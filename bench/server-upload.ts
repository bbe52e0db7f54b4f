/**
 * Uploads over loopback against the server process: single 1 KiB artifacts
 * on 64 connections (each 201 durable, with its access receipt) and the
 * batch endpoint; bare Fastify routes reading the same bodies are the
 * baseline in the same run. During the single uploads a read-only connection
 * to the locker polls the latest signed checkpoint every 10 ms: integration
 * latency is the time from an artifact's 201 to the first observed
 * checkpoint that covers its leaf.
 *
 *   node dist/bench/server-upload.js [seconds per round] [rounds] [batch size] [anchor interval ms]
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Request } from "autocannon";
import { percentile, tempDir } from "./lib.js";
import { report } from "./report.js";
import {
  batchBody,
  benchConfig,
  commitFloor,
  cpuOf,
  load,
  lockerWithToken,
  median,
  spread,
  startBare,
  startVigil,
  type Proc,
} from "./server-lib.js";

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.argv[4] ?? 1000);
const ANCHOR_MS = Number(process.argv[5] ?? 500);
const CONNECTIONS = 64;
const BATCH_CONNECTIONS = 8;

const tail = randomBytes(1024);
let counter = Date.now() * 1000;

/** A 1 KiB body never sent before: a counter in the first bytes, random bytes after. */
function uniqueBody(): Buffer {
  const b = Buffer.from(tail);
  b.writeDoubleBE(++counter, 0);
  return b;
}

interface Acks {
  readonly leaves: number[];
  readonly at: number[];
}

async function single(p: Proc, token: string, acks: Acks | null) {
  const req: Request = {
    method: "POST",
    path: "/v1/evidence?domain=bench&name=single",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    setupRequest: (r) => ({ ...r, body: uniqueBody() }),
    onResponse: (status, body) => {
      if (acks === null || status !== 201) return;
      const m = /"leafIndex":(\d+)/.exec(body);
      if (m === null) return;
      acks.leaves.push(Number(m[1]));
      acks.at.push(performance.now());
    },
  };
  const cpu0 = cpuOf(p.pid);
  const r = await load({ url: p.url, connections: CONNECTIONS, duration: SECONDS, requests: [req] });
  const cpuUs = ((cpuOf(p.pid) - cpu0) * 1e6) / r.requests.total;
  const created = r.statusCodeStats["201"]?.count ?? 0;
  if (r.errors > 0 || r.non2xx > 0 || created !== r.requests.total)
    throw new Error(`single uploads: ${r.errors} errors, ${JSON.stringify(r.statusCodeStats)}`);
  return { rate: created / r.duration, p99: r.latency.p99, created, cpuUs };
}

async function batch(p: Proc, token: string) {
  const req: Request = {
    method: "POST",
    path: "/v1/evidence/batch",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    setupRequest: (r) => ({ ...r, body: batchBody(BATCH, tail) }),
  };
  const r = await load({
    url: p.url,
    connections: BATCH_CONNECTIONS,
    duration: SECONDS,
    requests: [req],
    timeout: 60,
  });
  if (r.errors > 0 || r.non2xx > 0)
    throw new Error(`batch: ${r.errors} errors, ${JSON.stringify(r.statusCodeStats)}`);
  return {
    rate: (r.requests.total * BATCH) / r.duration,
    p99: r.latency.p99,
    created: r.requests.total * BATCH,
  };
}

/** Polls the latest checkpoint's size through a read-only connection: [time, size] whenever it grows. */
function pollCheckpoints(dbFile: string): { seen: [number, number][]; stop(): void } {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  const latest = db.prepare("SELECT size FROM checkpoints ORDER BY seq DESC LIMIT 1").pluck();
  const seen: [number, number][] = [];
  let last = -1;
  const timer = setInterval(() => {
    const size = (latest.get() as number | undefined) ?? 0;
    if (size !== last) seen.push([performance.now(), (last = size)]);
  }, 10);
  return { seen, stop: () => (clearInterval(timer), db.close()) };
}

/** ms from each 201 to the first observed checkpoint covering its leaf; NaN if none was seen. */
function integration(acks: Acks, seen: readonly [number, number][]): number[] {
  const out: number[] = [];
  let j = 0;
  const order = acks.leaves
    .map((_, i) => i)
    .sort((a, b) => (acks.leaves[a] as number) - (acks.leaves[b] as number));
  for (const i of order) {
    while (j < seen.length && (seen[j] as [number, number])[1] <= (acks.leaves[i] as number)) j++;
    out.push(j < seen.length ? Math.max(0, (seen[j] as [number, number])[0] - (acks.at[i] as number)) : NaN);
  }
  return out;
}

const { dir, cleanup } = tempDir("server-upload");
const procs: Proc[] = [];
try {
  const data = join(dir, "locker");
  const token = lockerWithToken(data, "producer");
  const vigil = await startVigil(data, benchConfig({ anchorIntervalMs: ANCHOR_MS }));
  const bare = await startBare(tail);
  procs.push(vigil, bare);
  const rounds: {
    single: number;
    bareSingle: number;
    batch: number;
    bareBatch: number;
    p99: number;
    int99: number;
    lost: number;
    cpuUs: number;
    bareCpuUs: number;
  }[] = [];
  let acked = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const bs = await single(bare, token, null);
    const poll = pollCheckpoints(join(data, "vigil.db"));
    const acks: Acks = { leaves: [], at: [] };
    const s = await single(vigil, token, acks);
    await new Promise((r) => setTimeout(r, 3 * ANCHOR_MS + 200)); // the last acks' checkpoint
    poll.stop();
    const lat = integration(acks, poll.seen).sort((a, b) => a - b);
    const lost = lat.filter((x) => Number.isNaN(x)).length;
    const bb = await batch(bare, token);
    const b = await batch(vigil, token);
    acked += s.created + b.created;
    const r = {
      single: s.rate,
      bareSingle: bs.rate,
      batch: b.rate,
      bareBatch: bb.rate,
      p99: s.p99,
      int99: percentile(lat, 99),
      lost,
      cpuUs: s.cpuUs,
      bareCpuUs: bs.cpuUs,
    };
    rounds.push(r);
    process.stderr.write(
      `round ${round}: ${JSON.stringify(r)} (integration p50 ${percentile(lat, 50).toFixed(0)} ms, max ${lat[lat.length - 1 - lost]?.toFixed(0)} ms)\n`,
    );
  }
  const floor = commitFloor(dir);
  await vigil.stop();
  const db = new Database(join(data, "vigil.db"), { readonly: true });
  const stored = db.prepare("SELECT count(*) FROM evidence").pluck().get() as number;
  db.close();
  const col = (k: keyof (typeof rounds)[number]) => rounds.map((r) => r[k]);
  process.stderr.write(
    `single/s ${spread(col("single"))}, batch/s ${spread(col("batch"))}, integration p99 ms ${spread(col("int99"))}\n`,
  );
  report("server-upload", [
    {
      figure: `single uploads 1 KiB, ${CONNECTIONS} conns (median of ${ROUNDS})`,
      value: median(col("single")),
      unit: "artifacts/s",
      target: ">= 8000",
    },
    { figure: "single upload latency p99 (median)", value: median(col("p99")), unit: "ms" },
    { figure: "bare Fastify POST, same bodies (median)", value: median(col("bareSingle")), unit: "req/s" },
    {
      figure: `batch of ${BATCH}, ${BATCH_CONNECTIONS} conns (median)`,
      value: median(col("batch")),
      unit: "artifacts/s",
      target: ">= 25000",
    },
    {
      figure: "bare Fastify POST batch, same bodies (median)",
      value: median(col("bareBatch")),
      unit: "items/s",
    },
    {
      figure: `201 -> signed checkpoint p99 (anchor every ${ANCHOR_MS} ms)`,
      value: median(col("int99")),
      unit: "ms",
      target: "<= 1000",
    },
    {
      figure: "acknowledged artifacts without a checkpoint",
      value: rounds.reduce((a, r) => a + r.lost, 0),
      unit: "artifacts",
      target: "0",
    },
    {
      figure: "acknowledged artifacts missing after the run",
      value: Math.max(0, acked - stored),
      unit: "artifacts",
      target: "0",
    },
    { figure: "server CPU per single upload (median)", value: median(col("cpuUs")), unit: "us" },
    { figure: "CPU per bare Fastify POST (median)", value: median(col("bareCpuUs")), unit: "us" },
    { figure: "floor: one durable SQLite commit, p50", value: floor.p50, unit: "ms" },
  ]);
} finally {
  for (const p of procs) await p.stop();
  cleanup();
}
