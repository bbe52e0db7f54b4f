/**
 * Export and offline verification of a 10,000-artifact pack (1 KiB each),
 * against `sha256sum -c` of the same pack's SHA256SUMS (which checks only
 * checksums, not proofs or the signature).
 *
 *   node dist/bench/pack.js [N]
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { exportPack } from "../src/packs/export-pack.js";
import { readPack } from "../src/packs/read-pack.js";
import { verifyPack } from "../src/packs/verify-pack.js";
import { anchorNow, freshLocker, ingest, tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 10_000);
const { dir, cleanup } = tempDir("pack");
try {
  const v = freshLocker(join(dir, "l"));
  await ingest(
    v,
    Array.from({ length: N }, () => randomBytes(1024)),
  );
  await anchorNow(v);
  const out = join(dir, "pack");
  let t0 = performance.now();
  await exportPack(v, { selection: { query: { domain: "bench" } }, includeDeps: false, output: out });
  const exportSeconds = (performance.now() - t0) / 1000;
  const sums = timeShell(`cd ${out} && sha256sum -c --quiet SHA256SUMS`);
  t0 = performance.now();
  const result = verifyPack(await readPack(out), { where: out, trustedKey: v.verifierKey });
  const ours = (performance.now() - t0) / 1000;
  if (!result.ok) throw new Error(`pack did not verify: ${JSON.stringify(result.findings.slice(0, 3))}`);
  await v.close();
  report("pack", [
    { figure: `export of ${N} x 1 KiB artifacts (directory)`, value: N / exportSeconds, unit: "artifacts/s" },
    { figure: "offline verify (checksums, leaves, proofs, signature)", value: ours, unit: "s" },
    { figure: "sha256sum -c SHA256SUMS, same pack", value: sums, unit: "s" },
    { figure: "ratio vigil / sha256sum", value: ours / sums, unit: "x", target: "< 1.0" },
  ]);
} finally {
  cleanup();
}
