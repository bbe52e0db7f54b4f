/**
 * Ingest of one large file (default 1 GiB) through `vigil evidence add`,
 * against `cp` + `sync` of the same file, with the CLI's peak RSS.
 *
 *   node dist/bench/ingest-large.js [MiB]
 */
import { spawnSync } from "node:child_process";
import { writeFileSync, openSync, writeSync, closeSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { initLocker } from "../src/app/init-locker.js";
import { systemClock } from "../src/clock.js";
import { tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const MIB = Number(process.argv[2] ?? 1024);
const BIN = new URL("../../bin/vigil", import.meta.url).pathname;
const { dir, cleanup } = tempDir("large");
try {
  const src = join(dir, "big.bin");
  const fd = openSync(src, "w");
  const chunk = randomBytes(1 << 20);
  for (let i = 0; i < MIB; i++)
    writeSync(
      fd,
      chunk.map((b, j) => (b + i + j) & 0xff),
    );
  closeSync(fd);
  timeShell("sync");
  const cp = timeShell(`cp ${src} ${join(dir, "copy.bin")} && sync`);
  timeShell(`rm ${join(dir, "copy.bin")} && sync`);
  const data = join(dir, "locker");
  initLocker(data, systemClock);
  writeFileSync(join(dir, "noop"), "");
  const t0 = performance.now();
  // /usr/bin/time is not everywhere; the child reports its own peak RSS (VIGIL_REPORT_RSS).
  const run = spawnSync(
    process.execPath,
    [BIN, "--data", data, "--json", "evidence", "add", src, "--domain", "bench", "--name", "big"],
    {
      encoding: "utf8",
      env: { ...process.env, VIGIL_REPORT_RSS: "1" },
    },
  );
  const ours = (performance.now() - t0) / 1000;
  if (run.status !== 0) throw new Error(`vigil add failed: ${run.stderr}`);
  const rss = Number(/peak-rss-kib (\d+)/.exec(run.stderr)?.[1] ?? NaN) / 1024;
  const bytes = MIB * 2 ** 20;
  report("ingest-large", [
    { figure: `vigil evidence add, ${MIB} MiB file`, value: bytes / ours / 2 ** 20, unit: "MiB/s" },
    { figure: "cp + sync baseline", value: bytes / cp / 2 ** 20, unit: "MiB/s" },
    { figure: "ratio vigil / (cp + sync)", value: cp / ours, unit: "x", target: ">= 0.8" },
    { figure: "vigil peak RSS", value: rss, unit: "MiB", target: "< 150" },
  ]);
} finally {
  cleanup();
}
