/**
 * Online backup under load: a writer in another process keeps adding
 * artifacts (groups of 100 × 1 KiB, durable before ack) while `backup
 * create` runs; its throughput during each backup is compared with an
 * equally long window right after it. Baseline in the same run: the writer
 * during a plain `cp` + `sync` of the database file (the I/O alone).
 * Target: at most a 30 % drop.
 *
 *   node dist/bench/backup.js [records=1000000] [contentMiB=1024] [rounds=3]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectAll } from "../src/app/projection.js";
import { openVigil, type Vigil } from "../src/app/vigil.js";
import { commitEvidence } from "../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../src/domains/evidence/metadata.js";
import { createBackup } from "../src/lifecycle/backup-create.js";
import { anchorNow, freshLocker, ingest, percentile, tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const WRITER_GROUP = 100;
const WRITER_BYTES = 1024;

type Span = [number, number];

if (process.argv[2] === "--writer") await writer(process.argv[3] as string, process.argv[4] as string);
else await main();

/**
 * The load: commits groups until SIGTERM, then writes "<epoch ms> <artifacts so far>" per commit
 * to `log` (kept in memory meanwhile: a full stdout pipe would block the writer and skew the figure).
 */
async function writer(data: string, log: string): Promise<void> {
  const lines: string[] = [];
  process.on("SIGTERM", () => {
    writeFileSync(log, lines.join("\n"));
    process.exit(0);
  });
  const v = openVigil(data);
  const meta = parseEvidenceMeta(
    { domain: "load", name: "w", date: "2026-11-23" },
    "bench",
    v.config.retentionClasses,
  );
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  for (let n = 0; ;) {
    const group = Array.from({ length: WRITER_GROUP }, () => ({
      contents: inlineContents(randomBytes(WRITER_BYTES)),
      meta,
    }));
    n += (await commitEvidence(deps, group)).length;
    lines.push(`${Date.now()} ${n}`);
    await new Promise((r) => setImmediate(r)); // let SIGTERM in: the commits never leave the microtask queue
  }
}

async function main(): Promise<void> {
  const records = Number(process.argv[2] ?? 1_000_000);
  const contentBytes = Number(process.argv[3] ?? 1024) * 1024 * 1024;
  const rounds = Number(process.argv[4] ?? 3);
  const { dir, cleanup } = tempDir("backup");
  try {
    const v = freshLocker(dir);
    const buildSeconds = await build(v, records, Math.max(1, Math.floor(contentBytes / records)));
    const dbBytes = statSync(v.paths.database).size;
    const m = await underLoad(v, dir, rounds);
    await v.close();
    const drop = (busy: number, quiet: number) => 100 * (1 - busy / quiet);
    report("backup", [
      {
        figure: `locker built: ${records} records, ${mib(dbBytes)} MiB database`,
        value: buildSeconds,
        unit: "s",
      },
      { figure: "backup create under load (median)", value: m.seconds, unit: "s" },
      {
        figure: "backup rate (database size at start / time)",
        value: dbBytes / 2 ** 20 / m.seconds,
        unit: "MiB/s",
      },
      { figure: "writer alone (median of windows)", value: m.quiet, unit: "artifacts/s" },
      { figure: "writer during backup (median)", value: m.busy, unit: "artifacts/s" },
      {
        figure: "writer throughput drop during backup",
        value: drop(m.busy, m.quiet),
        unit: "%",
        target: "<= 30",
      },
      { figure: "baseline: drop during cp + sync of the database", value: drop(m.cp, m.cpQuiet), unit: "%" },
    ]);
  } finally {
    cleanup();
  }
}

/** Alternates backup / quiet / cp+sync / quiet windows while the writer runs; medians per kind. */
async function underLoad(v: Vigil, dir: string, rounds: number) {
  const log = join(dir, "writer.log");
  const child = spawn(process.execPath, [process.argv[1] as string, "--writer", v.paths.dataDir, log], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  const exited = new Promise((r) => child.on("close", r));
  await sleep(3000); // writer warm-up
  const w = { busy: [] as Span[], quiet: [] as Span[], cp: [] as Span[], cpQuiet: [] as Span[] };
  for (let r = 0; r < rounds; r++) {
    let backupDir = "";
    w.busy.push(await timed(async () => void (backupDir = (await createBackup(v)).dir)));
    rmSync(backupDir, { recursive: true, force: true });
    w.quiet.push(await quietAfter(w.busy[r] as Span));
    // The same bytes copied by cp and flushed by sync: not a consistent backup, only its I/O.
    const copy = join(dir, "cp.db");
    w.cp.push(await timed(async () => void timeShell(`cp ${v.paths.database} ${copy} && sync ${copy}`)));
    rmSync(copy);
    w.cpQuiet.push(await quietAfter(w.cp[r] as Span));
  }
  child.kill("SIGTERM");
  await exited;
  const commits = readFileSync(log, "utf8")
    .split("\n")
    .map((l) => l.split(" ").map(Number) as Span);
  const med = (spans: Span[]) => median(spans.map(([a, z]) => rate(commits, a, z)));
  return {
    seconds: median(w.busy.map(([a, z]) => (z - a) / 1000)),
    busy: med(w.busy),
    quiet: med(w.quiet),
    cp: med(w.cp),
    cpQuiet: med(w.cpQuiet),
  };
}

/** Ingests `records` artifacts of `size` random bytes, then anchors. */
async function build(v: Vigil, records: number, size: number): Promise<number> {
  let seconds = 0;
  for (let done = 0; done < records;) {
    const n = Math.min(50_000, records - done);
    seconds += await ingest(
      v,
      Array.from({ length: n }, () => randomBytes(size)),
      5000,
    );
    done += n;
  }
  await anchorNow(v);
  v.log.checkpointWal();
  return seconds;
}

async function timed(fn: () => Promise<void>): Promise<Span> {
  const t0 = Date.now();
  await fn();
  return [t0, Date.now()];
}

/** An equally long window right after `busy`, with nothing but the writer running. */
async function quietAfter(busy: Span): Promise<Span> {
  await sleep(busy[1] - busy[0]);
  return [busy[1], Date.now()];
}

/** Artifacts/s committed by the writer in [t0, t1] (epoch ms). */
function rate(commits: readonly Span[], t0: number, t1: number): number {
  const before = commits.filter(([t]) => t < t0).pop()?.[1] ?? 0;
  const last = commits.filter(([t]) => t <= t1).pop()?.[1] ?? before;
  return (last - before) / ((t1 - t0) / 1000);
}

function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

function mib(n: number): string {
  return (n / 2 ** 20).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
