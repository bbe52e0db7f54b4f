/**
 * Export and offline verification of a 10,000-artifact pack (1 KiB each),
 * against `sha256sum -c` of the same pack's SHA256SUMS in the extracted
 * pack (which checks only checksums, not records, proofs or the signature).
 * Ours is timed on the .tar.gz as exported (no extraction: the archive is
 * read and checked in memory) and on the extracted directory. Three rounds,
 * alternating; the best of each side is compared.
 *
 *   node dist/bench/pack.js [N]
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { exportPack } from "../src/packs/export-pack.js";
import { readPack } from "../src/packs/read-pack.js";
import { verifyPack } from "../src/packs/verify-pack.js";
import { anchorNow, freshLocker, ingest, tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 10_000);
const ROUNDS = 3;

async function verifySeconds(input: string, key: string): Promise<number> {
  const t0 = performance.now();
  const result = verifyPack(await readPack(input), { where: input, trustedKey: key });
  const s = (performance.now() - t0) / 1000;
  if (!result.ok) throw new Error(`pack did not verify: ${JSON.stringify(result.findings.slice(0, 3))}`);
  return s;
}

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
  const best = { sums: Infinity, tgz: Infinity, dir: Infinity };
  for (let r = 0; r < ROUNDS; r++) {
    best.sums = Math.min(best.sums, timeShell(`cd ${out} && sha256sum -c --quiet SHA256SUMS`));
    best.tgz = Math.min(best.tgz, await verifySeconds(tgz, key));
    best.dir = Math.min(best.dir, await verifySeconds(out, key));
  }
  report("pack", [
    { figure: `export of ${N} x 1 KiB artifacts (.tar.gz)`, value: N / exportSeconds, unit: "artifacts/s" },
    {
      figure: "offline verify of the .tar.gz (checksums, leaves, proofs, signature)",
      value: best.tgz,
      unit: "s",
    },
    { figure: "offline verify of the extracted directory", value: best.dir, unit: "s" },
    { figure: "sha256sum -c SHA256SUMS in the extracted pack", value: best.sums, unit: "s" },
    { figure: "ratio vigil (.tar.gz) / sha256sum", value: best.tgz / best.sums, unit: "x", target: "< 1.0" },
    { figure: "ratio vigil (directory) / sha256sum", value: best.dir / best.sums, unit: "x" },
  ]);
} finally {
  cleanup();
}
