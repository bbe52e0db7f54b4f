/**
 * Proofs over the API at 1,000,000 entries (issue 5's figure): inclusion
 * proofs of random artifacts (each leaves its durable access receipt, as
 * every evidence read does) and consistency proofs between random tree
 * sizes (no receipt) on loopback, the load generator in this process:
 * latency with one connection (one request at a time) and with 16, where
 * p99 also holds the queueing. The floor of one durable commit on this disk
 * is printed beside.
 *
 * With `postgres` the locker keeps its journal in a fresh PostgreSQL
 * database (VIGIL_TEST_PG_URL, default postgresql://postgres@127.0.0.1:5432/postgres).
 *
 *   node dist/bench/server-proofs.js [entries] [seconds] [sqlite|postgres]
 */
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import type { Request } from "autocannon";
import { openLocker } from "../src/app/open-locker.js";
import { createTestDatabase, type TestDatabase } from "../test/storage/pg-test-db.js";
import { anchorNow, ingest, tempDir } from "./lib.js";
import { report, type Figure } from "./report.js";
import {
  benchConfig,
  commitFloor,
  cpuOf,
  load,
  lockerWithToken,
  startVigil,
  type Proc,
} from "./server-lib.js";

const N = Number(process.argv[2] ?? 1_000_000);
const SECONDS = Number(process.argv[3] ?? 10);
const BACKEND = process.argv[4] ?? "sqlite";
if (BACKEND !== "sqlite" && BACKEND !== "postgres") throw new Error("backend must be sqlite or postgres");
const SAMPLE = 20_000;

const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)] as T;

async function build(data: string): Promise<string[]> {
  const v = await openLocker(data);
  const ids: string[] = [];
  const CHUNK = 100_000;
  for (let done = 0; done < N; done += CHUNK) {
    const payloads = Array.from({ length: Math.min(CHUNK, N - done) }, () => randomBytes(64));
    for (let i = 0; i < payloads.length; i += Math.ceil(payloads.length / (SAMPLE / (N / CHUNK))))
      ids.push(
        `sha256:${createHash("sha256")
          .update(payloads[i] as Buffer)
          .digest("hex")}`,
      );
    await ingest(v, payloads);
    process.stderr.write(`\ringested ${done + payloads.length}/${N}`);
  }
  process.stderr.write("\n");
  await anchorNow(v);
  await v.close();
  return ids;
}

async function measure(p: Proc, token: string, next: () => string, connections: number) {
  const cpu0 = cpuOf(p.pid);
  const setupRequest = (req: Request): Request => ({ ...req, path: next() });
  const r = await load({
    url: p.url,
    connections,
    duration: SECONDS,
    headers: { authorization: `Bearer ${token}` },
    requests: [{ method: "GET", setupRequest }],
  });
  if (r.errors > 0 || r.non2xx > 0) throw new Error(`${r.errors} errors, ${r.non2xx} non-2xx`);
  const cpuUs = ((cpuOf(p.pid) - cpu0) * 1e6) / r.requests.total;
  return { rps: r.requests.total / r.duration, p50: r.latency.p50, p99: r.latency.p99, cpuUs };
}

const { dir, cleanup } = tempDir("server-proofs");
let server: Proc | null = null;
let db: TestDatabase | null = null;
try {
  const data = join(dir, "locker");
  db = BACKEND === "postgres" ? await createTestDatabase() : null;
  const token = lockerWithToken(data, "auditor", db === null ? [] : ["--database-url", db.url]);
  const ids = await build(data);
  server = await startVigil(data, benchConfig());
  const inclusion = () => `/v1/evidence/${pick(ids)}/proof`;
  const consistency = () => {
    const a = 1 + Math.floor(Math.random() * (N - 1));
    return `/v1/proofs/consistency?from=${a}&to=${a + 1 + Math.floor(Math.random() * (N - a))}`;
  };
  await measure(server, token, inclusion, 16); // warm-up: JIT, page cache
  const figures: Figure[] = [];
  for (const c of [1, 16])
    for (const [kind, next] of [
      ["inclusion", inclusion],
      ["consistency", consistency],
    ] as const) {
      const r = await measure(server, token, next, c);
      figures.push(
        {
          figure: `${kind} proof at ${N} entries (${BACKEND}), ${c} conn, p99`,
          value: r.p99,
          unit: "ms",
          target: "<= 3",
        },
        { figure: `${kind} proof, ${c} conn, p50`, value: r.p50, unit: "ms" },
        { figure: `${kind} proofs per second, ${c} conn`, value: r.rps, unit: "req/s" },
        { figure: `server CPU per ${kind} proof, ${c} conn`, value: r.cpuUs, unit: "us" },
      );
    }
  if (db === null)
    figures.push({
      figure: "floor: one durable SQLite commit (an inclusion read's receipt), p50",
      value: commitFloor(dir).p50,
      unit: "ms",
    });
  report("server-proofs", figures);
} finally {
  await server?.stop();
  cleanup();
  await db?.drop();
}
