/**
 * Memory of the server process under steady load: single 1 KiB uploads and
 * GETs of an artifact at a fixed request rate for SECONDS (default 600),
 * anchors every second. Every 5 s: the process's resident set (all, and its
 * anonymous part: heap and native allocations, without the mapped database
 * pages) from /proc, and the V8 heap in use from /metrics. After a warm-up
 * (the first tenth, at least 30 s), every sample should be within +-10 % of
 * the median of the samples.
 *
 *   node dist/bench/server-soak.js [seconds] [requests/s]
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Request } from "autocannon";
import { tempDir } from "./lib.js";
import { report } from "./report.js";
import { benchConfig, load, lockerWithToken, median, startVigil, type Proc } from "./server-lib.js";

const SECONDS = Number(process.argv[2] ?? 600);
const RATE = Number(process.argv[3] ?? 1000);
const SAMPLE_MS = 5000;

interface Sample {
  readonly t: number;
  readonly rss: number;
  readonly anon: number;
  readonly heap: number;
}

function procMemory(pid: number): { rss: number; anon: number } {
  const s = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+) kB`).exec(s)?.[1] ?? NaN) * 1024;
  return { rss: kb("VmRSS"), anon: kb("RssAnon") };
}

async function heapUsed(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN);
}

/** Largest deviation of any sample from the median, as a fraction of the median. */
function deviation(xs: readonly number[]): number {
  const m = median(xs);
  return Math.max(...xs.map((x) => Math.abs(x - m))) / m;
}

const { dir, cleanup } = tempDir("server-soak");
let vigil: Proc | null = null;
try {
  const data = join(dir, "locker");
  const token = lockerWithToken(data, "operator");
  vigil = await startVigil(data, benchConfig({ anchorIntervalMs: 1000 }));
  const server = vigil;
  const tail = randomBytes(1024);
  const known = await fetch(`${server.url}/v1/evidence?domain=bench&name=soak`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/octet-stream" },
    body: tail,
  });
  const id = ((await known.json()) as { id: string }).id;
  let counter = Date.now() * 1000;
  const headers = { authorization: `Bearer ${token}` };
  const requests: Request[] = [
    {
      method: "POST",
      path: "/v1/evidence?domain=bench&name=soak",
      headers: { ...headers, "content-type": "application/octet-stream" },
      setupRequest: (r) => {
        const b = Buffer.from(tail);
        b.writeDoubleBE(++counter, 0);
        return { ...r, body: b };
      },
    },
    { method: "GET", path: `/v1/evidence/${id}`, headers },
  ];
  const samples: Sample[] = [];
  const t0 = performance.now();
  const sample = async () => {
    const m = procMemory(server.pid);
    samples.push({ t: (performance.now() - t0) / 1000, ...m, heap: await heapUsed(server.url) });
  };
  const timer = setInterval(() => void sample(), SAMPLE_MS);
  const r = await load({
    url: server.url,
    connections: 16,
    duration: SECONDS,
    overallRate: RATE,
    requests,
  });
  clearInterval(timer);
  await sample();
  if (r.errors > 0 || r.non2xx > 0)
    throw new Error(`soak: ${r.errors} errors, ${JSON.stringify(r.statusCodeStats)}`);
  const steady = samples.filter((s) => s.t >= Math.max(30, SECONDS / 10));
  const mib = (b: number) => b / 1024 / 1024;
  for (const s of samples)
    process.stderr.write(
      `t=${s.t.toFixed(0)}s rss ${mib(s.rss).toFixed(1)} MiB anon ${mib(s.anon).toFixed(1)} MiB heap ${mib(s.heap).toFixed(1)} MiB\n`,
    );
  const col = (k: "rss" | "anon" | "heap") => steady.map((s) => s[k]);
  report("server-soak", [
    {
      figure: `requests answered (${SECONDS} s at ${RATE}/s, half uploads)`,
      value: r.requests.total,
      unit: "requests",
    },
    { figure: "request latency p99", value: r.latency.p99, unit: "ms" },
    { figure: "server RSS, median after warm-up", value: mib(median(col("rss"))), unit: "MiB" },
    {
      figure: "server RSS, largest deviation from median",
      value: 100 * deviation(col("rss")),
      unit: "%",
      target: "<= 10",
    },
    { figure: "server anonymous RSS (heap + native), median", value: mib(median(col("anon"))), unit: "MiB" },
    {
      figure: "server anonymous RSS, largest deviation",
      value: 100 * deviation(col("anon")),
      unit: "%",
      target: "<= 10",
    },
    { figure: "V8 heap used, median", value: mib(median(col("heap"))), unit: "MiB" },
    { figure: "V8 heap used, largest deviation", value: 100 * deviation(col("heap")), unit: "%" },
    {
      figure: "RSS last sample / first steady sample",
      value: (steady.at(-1)?.rss ?? NaN) / (steady[0]?.rss ?? NaN),
      unit: "x",
    },
  ]);
} finally {
  await vigil?.stop();
  cleanup();
}
