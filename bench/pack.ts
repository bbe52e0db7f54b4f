/**
 * Export and offline verification of a 10,000-artifact pack (1 KiB each),
 * against `sha256sum -c` of the same pack's SHA256SUMS in the extracted
 * pack (which checks only checksums, not records, proofs or the signature).
 * Ours is timed on the .tar.gz as exported (no extraction: the archive is
 * read and checked in memory) and on the extracted directory. ROUNDS rounds
 * (default 3), alternating; the best of each side is compared. CPU time is reported
 * beside the wall time (ours: every thread of the process, the inflate in
 * the thread pool included; sha256sum's: user + system from /usr/bin/time),
 * as it moves less than wall time on a machine shared with other work.
 *
 *   node dist/bench/pack.js [N] [ROUNDS]
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { exportPack } from "../src/packs/export-pack.js";
import { verifyPackFile } from "../src/packs/verify-pack.js";
import { anchorNow, freshLocker, ingest, tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = Number(process.argv[3] ?? 3);

interface Timed {
  readonly wall: number;
  readonly cpu: number;
}

const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

async function verifySeconds(input: string, key: string): Promise<Timed> {
  const [t0, c0] = [performance.now(), cpuSeconds()];
  const result = await verifyPackFile(input, { trustedKey: key });
  const timed = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds() - c0 };
  if (!result.ok) throw new Error(`pack did not verify: ${JSON.stringify(result.findings.slice(0, 3))}`);
  return timed;
}

/** A shell command's wall and CPU (user + system) seconds, by /usr/bin/time. */
function timeShellCpu(cmd: string): Timed {
  const run = spawnSync("/usr/bin/time", ["-f", "%e %U %S", "sh", "-c", cmd], { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`${cmd} failed: ${run.stderr}`);
  const [wall, user, sys] = run.stderr.trim().split("\n").at(-1)?.split(" ").map(Number) ?? [];
  return { wall: wall ?? NaN, cpu: (user ?? NaN) + (sys ?? NaN) };
}

const min = (a: Timed, b: Timed): Timed => ({ wall: Math.min(a.wall, b.wall), cpu: Math.min(a.cpu, b.cpu) });

const { dir, cleanup } = tempDir("pack");
try {
  const v = freshLocker(join(dir, "l"));
  await ingest(
    v,
    Array.from({ length: N }, () => randomBytes(1024)),
  );
  await anchorNow(v);
  const tgz = join(dir, "pack.tar.gz");
  const t0 = performance.now();
  await exportPack(v, { selection: { query: { domain: "bench" } }, includeDeps: false, output: tgz });
  const exportSeconds = (performance.now() - t0) / 1000;
  const key = v.verifierKey;
  await v.close();
  const out = join(dir, "extracted");
  mkdirSync(out);
  timeShell(`tar -xzf ${tgz} -C ${out}`);
  const none = { wall: Infinity, cpu: Infinity };
  const best = { sums: none, tgz: none, dir: none };
  for (let r = 0; r < ROUNDS; r++) {
    best.sums = min(best.sums, timeShellCpu(`cd ${out} && sha256sum -c --quiet SHA256SUMS`));
    best.tgz = min(best.tgz, await verifySeconds(tgz, key));
    best.dir = min(best.dir, await verifySeconds(out, key));
  }
  report("pack", [
    { figure: `export of ${N} x 1 KiB artifacts (.tar.gz)`, value: N / exportSeconds, unit: "artifacts/s" },
    {
      figure: "offline verify of the .tar.gz (checksums, leaves, proofs, signature)",
      value: best.tgz.wall,
      unit: "s",
    },
    { figure: "offline verify of the extracted directory", value: best.dir.wall, unit: "s" },
    { figure: "sha256sum -c SHA256SUMS in the extracted pack", value: best.sums.wall, unit: "s" },
    {
      figure: "ratio vigil (.tar.gz) / sha256sum",
      value: best.tgz.wall / best.sums.wall,
      unit: "x",
      target: "< 1.0",
    },
    { figure: "ratio vigil (directory) / sha256sum", value: best.dir.wall / best.sums.wall, unit: "x" },
    { figure: "CPU: verify of the .tar.gz (all threads)", value: best.tgz.cpu, unit: "s" },
    { figure: "CPU: verify of the directory", value: best.dir.cpu, unit: "s" },
    { figure: "CPU: sha256sum -c (user + system)", value: best.sums.cpu, unit: "s" },
    { figure: "CPU ratio vigil (.tar.gz) / sha256sum", value: best.tgz.cpu / best.sums.cpu, unit: "x" },
  ]);
} finally {
  cleanup();
}
