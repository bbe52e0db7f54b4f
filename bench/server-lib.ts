/**
 * Helpers for the server benches: the server (`bin/vigil serve`) and the
 * bare-Fastify baseline run as separate processes; the load generator
 * (autocannon, programmatic) runs in the bench process. All three share the
 * machine's cores.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import autocannon, { type Options, type Result } from "autocannon";
import Database from "better-sqlite3";
import { percentile } from "./lib.js";

const VIGIL = new URL("../../bin/vigil", import.meta.url).pathname;
const BARE = new URL("./bare-server.js", import.meta.url).pathname;

export interface Proc {
  readonly url: string;
  readonly pid: number;
  /** SIGTERM, then waits for the exit (the server finishes writes and signs a final anchor). */
  stop(): Promise<void>;
}

function vigilCli(data: string, args: string[]): string {
  return execFileSync(process.execPath, [VIGIL, "--data", data, ...args], { encoding: "utf8" });
}

/** A fresh locker (`vigil init ...initArgs`) with one token of `role` (made by `vigil token create`, before the server opens it). */
export function lockerWithToken(data: string, role = "operator", initArgs: readonly string[] = []): string {
  vigilCli(data, ["init", ...initArgs]);
  const out = JSON.parse(
    vigilCli(data, ["--json", "token", "create", "--role", role, "--name", "bench"]),
  ) as {
    token: string;
  };
  return out.token;
}

/** Runs `vigil --data D serve --config F --port 0` and waits for its address (stderr). */
export function startVigil(data: string, config: Record<string, unknown>): Promise<Proc> {
  // e.g. VIGIL_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile the server.
  const nodeArgs = (process.env.VIGIL_BENCH_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  const file = join(data, "..", "server.json");
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [...nodeArgs, VIGIL, "--data", data, "serve", "--config", file, "--port", "0"],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  return listening(child, /serving .* on (http:\/\/\S+)/);
}

/** The bare-Fastify baseline: one route answering `bytes` (bench/bare-server.ts). */
export function startBare(bytes: Buffer): Promise<Proc> {
  const child = spawn(process.execPath, [BARE, bytes.toString("base64")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  return listening(child, /listening on (http:\/\/\S+)/);
}

function listening(child: ChildProcess, pattern: RegExp): Promise<Proc> {
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr?.on("data", (d: Buffer) => {
      err += d.toString();
      const m = pattern.exec(err);
      if (m === null) return;
      child.stderr?.removeAllListeners("data");
      child.stderr?.resume();
      resolve({
        url: m[1] as string,
        pid: child.pid as number,
        stop: async () => {
          child.kill("SIGTERM");
          await exited;
        },
      });
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}) before listening: ${err}`)));
  });
}

/** Resident set size of a process in bytes (Linux /proc). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m === null ? NaN : Number(m[1]) * 1024;
}

export function load(opts: Options): Promise<Result> {
  return Promise.resolve(autocannon(opts));
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
};

/** "median (min–max)" of a few runs, for the README. */
export function spread(xs: readonly number[], digits = 0): string {
  const f = (v: number) => v.toFixed(digits);
  return `${f(median(xs))} (${f(Math.min(...xs))}-${f(Math.max(...xs))})`;
}

/** A bench configuration for the server: no per-token rate limit in the way of the load. */
export function benchConfig(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { rateLimit: { perSecond: 10_000_000, burst: 10_000_000 }, anchorIntervalMs: 0, ...extra };
}

/**
 * The floor under any durable answer on this disk: latency of one small
 * SQLite commit (WAL, synchronous=FULL), p50 and p99 in ms, measured now.
 */
export function commitFloor(dir: string, n = 300): { p50: number; p99: number } {
  const db = new Database(join(dir, "floor.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE t (x BLOB)");
  const ins = db.prepare("INSERT INTO t VALUES (?)");
  const tx = db.transaction(() => ins.run(Buffer.alloc(300)));
  const ms: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    tx();
    ms.push(performance.now() - t0);
  }
  db.close();
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

/** CPU seconds (user + system) a process has used so far (Linux /proc, clock ticks of 10 ms). */
export function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[11]) + Number(f[12])) / 100;
}

let batchCounter = Date.now() * 1000 + 500_000;

/**
 * A /v1/evidence/batch body of `n` 1 KiB artifacts never sent before: each
 * is `tail` (1 KiB) with a counter in its first 9 bytes (a 9-byte prefix
 * keeps the base64 of the rest aligned, so it is encoded once).
 */
export function batchBody(n: number, tail: Buffer): string {
  const tail64 = tail.subarray(9).toString("base64");
  const items: string[] = [];
  const prefix = Buffer.alloc(9);
  for (let i = 0; i < n; i++) {
    prefix.writeDoubleBE(++batchCounter, 0);
    items.push(`{"data":"${prefix.toString("base64")}${tail64}","domain":"bench","name":"batch"}`);
  }
  return `{"items":[${items.join(",")}]}`;
}
