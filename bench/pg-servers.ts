/**
 * Durable batched appends through two `vigil serve` processes sharing one
 * PostgreSQL database (issue 5's multi-writer figure), against a raw
 * baseline measured in the same run: two processes inserting the same rows
 * (leaf index, leaf hash, a record-sized body, digest and 1 KiB of data)
 * with `pg` in 1,000-row transactions, one multi-row INSERT each, into a
 * plain table of a second fresh database.
 *
 *   node dist/bench/pg-servers.js [seconds per round=10] [rounds=3] [batch size=1000]
 * (VIGIL_TEST_PG_URL: the server; default postgresql://postgres@127.0.0.1:5432/postgres)
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import type { Request } from "autocannon";
import { createTestDatabase } from "../test/storage/pg-test-db.js";
import { tempDir } from "./lib.js";
import { report } from "./report.js";
import {
  batchBody,
  benchConfig,
  load,
  lockerWithToken,
  median,
  spread,
  startVigil,
  type Proc,
} from "./server-lib.js";

const SECONDS = Number(process.argv[2] ?? 10);
const ROUNDS = Number(process.argv[3] ?? 3);
const BATCH = Number(process.argv[4] ?? 1000);
const CONNECTIONS_PER_SERVER = 4;
const TX_ROWS = 1000;
const tail = randomBytes(1024);

/** One baseline writer: 1,000-row transactions for `seconds`, rows numbered from `first`. */
async function baselineChild(url: string, first: number, seconds: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const cols = 5;
  const sql = `INSERT INTO rows (idx, leaf_hash, body, digest, data) VALUES ${Array.from(
    { length: TX_ROWS },
    (_, r) => `(${Array.from({ length: cols }, (_, k) => `$${r * cols + k + 1}`).join(", ")})`,
  ).join(", ")}`;
  const body = randomBytes(300);
  let idx = first;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    const params: unknown[] = [];
    for (let r = 0; r < TX_ROWS; r++, idx++) {
      const data = Buffer.from(tail);
      data.writeDoubleBE(idx, 0);
      params.push(idx, randomBytes(32), body, randomBytes(32), data);
    }
    await c.query("BEGIN");
    await c.query(sql, params);
    await c.query("COMMIT");
  }
  const ms = performance.now() - t0;
  await c.end();
  process.stdout.write(JSON.stringify({ rows: idx - first, ms }));
}

/** Two baseline writers at once; rows/s over the slower one's time. */
async function baseline(url: string, round: number): Promise<number> {
  const run = promisify(execFile);
  const self = new URL(import.meta.url).pathname;
  const outs = await Promise.all(
    [0, 1].map((w) =>
      run(process.execPath, [self, "baseline", url, String((round * 2 + w) * 1e9), String(SECONDS)]),
    ),
  );
  const rs = outs.map((o) => JSON.parse(o.stdout) as { rows: number; ms: number });
  return rs.reduce((a, r) => a + r.rows, 0) / (Math.max(...rs.map((r) => r.ms)) / 1000);
}

/** Batch uploads to both servers at once; artifacts/s acknowledged (201, durable). */
async function throughTwoServers(
  servers: readonly Proc[],
  token: string,
): Promise<{ rate: number; acked: number }> {
  const req: Request = {
    method: "POST",
    path: "/v1/evidence/batch",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    setupRequest: (r) => ({ ...r, body: batchBody(BATCH, tail) }),
  };
  const results = await Promise.all(
    servers.map((s) =>
      load({
        url: s.url,
        connections: CONNECTIONS_PER_SERVER,
        duration: SECONDS,
        requests: [req],
        timeout: 60,
      }),
    ),
  );
  let acked = 0;
  for (const r of results) {
    if (r.errors > 0 || r.non2xx > 0)
      throw new Error(`batch: ${r.errors} errors, ${JSON.stringify(r.statusCodeStats)}`);
    acked += r.requests.total * BATCH;
  }
  return { rate: acked / Math.max(...results.map((r) => r.duration)), acked };
}

async function count(url: string, sql: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return Number((await c.query<{ n: string }>(sql)).rows[0]?.n);
  } finally {
    await c.end();
  }
}

async function main(): Promise<void> {
  const vigilDb = await createTestDatabase();
  const rawDb = await createTestDatabase();
  const { dir, cleanup } = tempDir("pg-servers");
  const servers: Proc[] = [];
  try {
    const c = new pg.Client({ connectionString: rawDb.url });
    await c.connect();
    await c.query(
      "CREATE TABLE rows (idx int8 PRIMARY KEY, leaf_hash bytea NOT NULL, body bytea NOT NULL, digest bytea NOT NULL, data bytea)",
    );
    await c.end();
    const data = join(dir, "locker");
    const token = lockerWithToken(data, "producer", ["--database-url", vigilDb.url]);
    const config = benchConfig({ anchorIntervalMs: 1000 });
    servers.push(await startVigil(data, config), await startVigil(data, config));
    const rounds: { vigil: number; raw: number }[] = [];
    let acked = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const raw = await baseline(rawDb.url, round);
      const v = await throughTwoServers(servers, token);
      acked += v.acked;
      rounds.push({ vigil: v.rate, raw });
      process.stderr.write(
        `round ${round}: vigil ${Math.round(v.rate)}/s, raw pg ${Math.round(raw)}/s, ratio ${(v.rate / raw).toFixed(2)}\n`,
      );
    }
    await Promise.all(servers.map((s) => s.stop()));
    servers.length = 0;
    const stored = await count(vigilDb.url, "SELECT count(*) AS n FROM evidence");
    const ratios = rounds.map((r) => r.vigil / r.raw);
    process.stderr.write(
      `vigil/s ${spread(rounds.map((r) => r.vigil))}, raw/s ${spread(rounds.map((r) => r.raw))}\n`,
    );
    report("pg-servers", [
      {
        figure: `batches of ${BATCH} via 2 servers, ${CONNECTIONS_PER_SERVER} conns each (median of ${ROUNDS})`,
        value: median(rounds.map((r) => r.vigil)),
        unit: "artifacts/s",
        target: ">= 10000",
      },
      {
        figure: "raw pg, 2 processes, 1,000-row transactions (median)",
        value: median(rounds.map((r) => r.raw)),
        unit: "rows/s",
      },
      {
        figure: "ratio vigil / raw pg (median of rounds)",
        value: median(ratios),
        unit: "x",
        target: ">= 0.4",
      },
      {
        figure: "acknowledged artifacts missing after the run",
        value: Math.max(0, acked - stored),
        unit: "artifacts",
        target: "0",
      },
    ]);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    cleanup();
    await vigilDb.drop();
    await rawDb.drop();
  }
}

if (process.argv[2] === "baseline")
  await baselineChild(process.argv[3] as string, Number(process.argv[4]), Number(process.argv[5]));
else await main();
