/**
 * `verify --mode full` throughput: over 1 GiB of contents in 64 MiB
 * artifacts against `openssl dgst -sha256` of the same files, and over
 * 100,000 small artifacts (artifacts/s).
 *
 *   node dist/bench/verify-full.js [MiB] [small-count]
 */
import { randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { projectAll } from "../src/app/projection.js";
import { verifyDeps } from "../src/app/verification.js";
import { commitEvidence } from "../src/domains/evidence/evidence-service.js";
import { ingestFile } from "../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../src/domains/evidence/metadata.js";
import { verifyFull } from "../src/verify/full.js";
import { anchorNow, freshLocker, ingest, tempDir, timeShell } from "./lib.js";
import { report } from "./report.js";

const MIB = Number(process.argv[2] ?? 1024);
const SMALL = Number(process.argv[3] ?? 100000);
const { dir, cleanup } = tempDir("verify");
try {
  const v = freshLocker(join(dir, "big"));
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  const files: string[] = [];
  for (let i = 0; i < MIB / 64; i++) {
    const f = join(dir, `part-${i}.bin`);
    await writeFile(f, Buffer.concat(Array.from({ length: 64 }, () => randomBytes(1 << 20))));
    const meta = parseEvidenceMeta(
      { domain: "bench", name: `part-${i}`, date: "2026-11-23" },
      "bench",
      v.config.retentionClasses,
    );
    await commitEvidence(deps, [{ contents: await ingestFile(f, v.config.inlineLimit, v.blobs), meta }]);
    files.push(
      v.blobs.files.pathOf(
        (await v.evidence.list({ limit: 1, orderBy: "leaf" })).at(0)?.digest ?? Buffer.alloc(32),
      ),
    );
  }
  await anchorNow(v);
  const blobPaths = v.blobs.fileBlobs().map((b) => v.blobs.files.pathOf(b.digest));
  for (const p of blobPaths)
    await new Promise((r) =>
      createReadStream(p)
        .on("data", () => undefined)
        .on("end", () => r(undefined)),
    ); // warm the page cache for both
  const openssl = timeShell(`openssl dgst -sha256 ${blobPaths.join(" ")}`);
  let t0 = performance.now();
  const big = await verifyFull(verifyDeps(v));
  const oursBig = (performance.now() - t0) / 1000;
  if (big.findings.length > 0) throw new Error(`unexpected findings: ${JSON.stringify(big.findings)}`);
  await v.close();

  const s = freshLocker(join(dir, "small"));
  await ingest(
    s,
    Array.from({ length: SMALL }, () => randomBytes(1024)),
  );
  await anchorNow(s);
  t0 = performance.now();
  const small = await verifyFull(verifyDeps(s));
  const oursSmall = (performance.now() - t0) / 1000;
  if (small.findings.length > 0) throw new Error("unexpected findings in the small locker");
  await s.close();
  report("verify-full", [
    { figure: `verify full, ${MIB} MiB in 64 MiB artifacts`, value: MIB / oursBig, unit: "MiB/s" },
    { figure: "openssl dgst -sha256, same files", value: MIB / openssl, unit: "MiB/s" },
    { figure: "ratio vigil / openssl", value: openssl / oursBig, unit: "x", target: ">= 1.5" },
    {
      figure: `verify full, ${SMALL} small artifacts`,
      value: SMALL / oursSmall,
      unit: "artifacts/s",
      target: ">= 100000",
    },
  ]);
} finally {
  cleanup();
}
