/**
 * Online backup under load: a writer in another process keeps adding
 * artifacts (groups of 100, durable before ack) while `backup create` runs;
 * its throughput during each backup is compared with equally long windows
 * without one, alternating. Target: at most a 30 % drop.
 *
 *   node dist/bench/backup.js [records=1000000] [contentMiB=1024] [rounds=3]
 */
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { projectAll } from "../src/app/projection.js";
import { openVigil } from "../src/app/vigil.js";
import { commitEvidence } from "../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../src/domains/evidence/metadata.js";
import { createBackup } from "../src/lifecycle/backup-create.js";
import { createAnchor } from "../src/log/anchors.js";
import { freshLocker, ingest, percentile, tempDir } from "./lib.js";
import { report } from "./report.js";

const WRITER_GROUP = 100;
const WRITER_BYTES = 1024;

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
    await new Promise((r) => setImmediate(r)); // let SIGTERM in: the commits above never leave the microtask queue
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
    const log = join(dir, "writer.log");
    const child = spawn(process.execPath, [process.argv[1] as string, "--writer", v.paths.dataDir, log], {
      stdio: ["ignore", "inherit", "inherit"],
    });
    const exited = new Promise((r) => child.on("close", r));
    await sleep(3000); // writer warm-up
    const windows: { busy: [number, number][]; quiet: [number, number][] } = { busy: [], quiet: [] };
    const seconds: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = Date.now();
      await sleep(0);
      const b = await createBackup(v);
      const t1 = Date.now();
      seconds.push((t1 - t0) / 1000);
      windows.busy.push([t0, t1]);
      rmSync(b.dir, { recursive: true, force: true });
      await sleep(t1 - t0);
      windows.quiet.push([t1, Date.now()]);
    }
    child.kill("SIGTERM");
    await exited;
    await v.close();
    const commits = readFileSync(log, "utf8")
      .split("\n")
      .map((l) => l.split(" ").map(Number) as [number, number]);
    const quiet = windows.quiet.map(([a, z]) => rate(commits, a, z));
    const busy = windows.busy.map(([a, z]) => rate(commits, a, z));
    const q = median(quiet);
    const b = median(busy);
    report("backup", [
      {
        figure: `locker built: ${records} records (${fmtMiB(dbBytes)} MiB database)`,
        value: buildSeconds,
        unit: "s",
      },
      { figure: "backup create under load (median)", value: median(seconds), unit: "s" },
      { figure: "backup copy rate", value: dbBytes / 2 ** 20 / median(seconds), unit: "MiB/s" },
      { figure: "writer alone (median of windows)", value: q, unit: "artifacts/s" },
      { figure: "writer during backup (median)", value: b, unit: "artifacts/s" },
      {
        figure: "writer throughput drop during backup",
        value: 100 * (1 - b / q),
        unit: "%",
        target: "<= 30",
      },
    ]);
    process.stdout.write(
      `  windows alone ${quiet.map(Math.round).join(", ")}; during ${busy.map(Math.round).join(", ")}\n`,
    );
  } finally {
    cleanup();
  }
}

/** Ingests `records` artifacts of `size` random bytes, then anchors. */
async function build(v: ReturnType<typeof freshLocker>, records: number, size: number): Promise<number> {
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
  await createAnchor({
    log: v.log,
    signer: v.signer,
    verifier: v.verifier,
    origin: v.config.origin,
    clock: v.clock,
  });
  v.log.checkpointWal();
  return seconds;
}

/** Artifacts/s committed by the writer in [t0, t1] (epoch ms). */
function rate(commits: readonly [number, number][], t0: number, t1: number): number {
  const inside = commits.filter(([t]) => t >= t0 && t <= t1);
  const before = commits.filter(([t]) => t < t0).pop()?.[1] ?? 0;
  const last = inside[inside.length - 1]?.[1] ?? before;
  return (last - before) / ((t1 - t0) / 1000);
}

function median(xs: readonly number[]): number {
  return percentile(
    [...xs].sort((a, b) => a - b),
    50,
  );
}

function fmtMiB(n: number): string {
  return (n / 2 ** 20).toFixed(0);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
