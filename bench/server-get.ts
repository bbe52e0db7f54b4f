/**
 * GET of a 1 KiB artifact over loopback, 64 connections, against a bare
 * Fastify route answering the same bytes, alternating rounds in the same run.
 * Every vigil GET authenticates its token and appends a durable access
 * receipt (group-committed) before it answers; the baseline does neither, so
 * the floor of one durable commit on this disk is printed alongside.
 *
 *   node dist/bench/server-get.js [seconds per round] [rounds]
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { tempDir } from "./lib.js";
import { report } from "./report.js";
import {
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
const CONNECTIONS = 64;

async function uploadOne(url: string, token: string, bytes: Buffer): Promise<string> {
  const r = await fetch(`${url}/v1/evidence?domain=bench&name=get`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: bytes,
  });
  if (r.status !== 201) throw new Error(`upload: ${r.status} ${await r.text()}`);
  return ((await r.json()) as { id: string }).id;
}

async function measure(p: Proc, path: string, token: string, seconds: number) {
  const cpu0 = cpuOf(p.pid);
  const r = await load({
    url: `${p.url}${path}`,
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${token}` },
  });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${p.url}: ${r.errors} errors, ${r.non2xx} non-2xx`);
  const cpuUs = ((cpuOf(p.pid) - cpu0) * 1e6) / r.requests.total;
  return { rps: r.requests.total / r.duration, p99: r.latency.p99, p50: r.latency.p50, cpuUs };
}

const { dir, cleanup } = tempDir("server-get");
const procs: Proc[] = [];
try {
  const data = join(dir, "locker");
  const token = lockerWithToken(data, "operator");
  const vigil = await startVigil(data, benchConfig());
  procs.push(vigil);
  const bytes = randomBytes(1024);
  const id = await uploadOne(vigil.url, token, bytes);
  const bare = await startBare(bytes);
  procs.push(bare);
  const path = `/v1/evidence/${id}`;
  await measure(bare, path, token, 2); // warm-up (JIT, connections)
  await measure(vigil, path, token, 2);
  const ours: Awaited<ReturnType<typeof measure>>[] = [];
  const base: Awaited<ReturnType<typeof measure>>[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const b = await measure(bare, path, token, SECONDS);
    const o = await measure(vigil, path, token, SECONDS);
    base.push(b);
    ours.push(o);
    ratios.push(o.rps / b.rps);
    process.stderr.write(
      `round ${round}: vigil ${o.rps.toFixed(0)}/s p99 ${o.p99} ms; bare ${b.rps.toFixed(0)}/s\n`,
    );
  }
  const floor = commitFloor(dir);
  process.stderr.write(
    `vigil GET/s ${spread(ours.map((o) => o.rps))}, p99 ms ${spread(ours.map((o) => o.p99))}, ` +
      `bare/s ${spread(base.map((o) => o.rps))}, ratio ${spread(ratios, 2)}\n`,
  );
  report("server-get", [
    {
      figure: `vigil GET 1 KiB, ${CONNECTIONS} conns (median of ${ROUNDS})`,
      value: median(ours.map((o) => o.rps)),
      unit: "req/s",
    },
    {
      figure: "vigil GET latency p99 (median of rounds)",
      value: median(ours.map((o) => o.p99)),
      unit: "ms",
      target: "<= 5",
    },
    { figure: "vigil GET latency p50 (median of rounds)", value: median(ours.map((o) => o.p50)), unit: "ms" },
    { figure: "bare Fastify, same bytes (median)", value: median(base.map((o) => o.rps)), unit: "req/s" },
    { figure: "bare Fastify latency p99 (median)", value: median(base.map((o) => o.p99)), unit: "ms" },
    { figure: "ratio vigil / bare (median of rounds)", value: median(ratios), unit: "x", target: ">= 0.5" },
    { figure: "server CPU per vigil GET (median)", value: median(ours.map((o) => o.cpuUs)), unit: "us" },
    { figure: "CPU per bare Fastify GET (median)", value: median(base.map((o) => o.cpuUs)), unit: "us" },
    { figure: "floor: one durable SQLite commit, p50", value: floor.p50, unit: "ms" },
    { figure: "floor: one durable SQLite commit, p99", value: floor.p99, unit: "ms" },
  ]);
} finally {
  for (const p of procs) await p.stop();
  cleanup();
}
