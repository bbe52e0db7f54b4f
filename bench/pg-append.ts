/**
 * PostgreSQL append throughput: W writer processes each commit N 1-KiB
 * artifacts in groups of G through the ingest path (classify, then one
 * durable group-commit append), into one fresh database.
 * Usage: node dist/bench/pg-append.js [writers=2] [perWriter=50000] [group=1000]
 * (VIGIL_TEST_PG_URL: the server; default postgresql://postgres@127.0.0.1:5432/postgres)
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import { openPostgresStores } from "../src/app/postgres-stores.js";
import { projectAll } from "../src/app/projection.js";
import { systemClock } from "../src/clock.js";
import { commitEvidence } from "../src/domains/evidence/evidence-service.js";
import { inlineContents } from "../src/domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../src/domains/evidence/metadata.js";
import { createTestDatabase } from "../test/storage/pg-test-db.js";

async function child(url: string, n: number, group: number): Promise<void> {
  const s = await openPostgresStores(url);
  const meta = parseEvidenceMeta({ domain: "bench", name: "a", date: "2026-11-23", kind: "bench" }, "bench", [
    "operational",
  ]);
  const deps = { log: s.log, evidence: s.evidence, clock: systemClock, project: projectAll };
  const t0 = performance.now();
  for (let i = 0; i < n; i += group) {
    const g = Array.from({ length: Math.min(group, n - i) }, () => ({
      contents: inlineContents(randomBytes(1024)),
      meta,
    }));
    const out = await commitEvidence(deps, g);
    if (out.some((o) => o.status !== "added")) throw new Error("an artifact was not added");
  }
  process.stdout.write(`${JSON.stringify({ n, ms: performance.now() - t0 })}\n`);
  await s.close();
}

async function main(): Promise<void> {
  const [writers = 2, perWriter = 50_000, group = 1000] = process.argv.slice(2).map(Number);
  const db = await createTestDatabase();
  try {
    const t0 = performance.now();
    const run = promisify(execFile);
    const self = new URL(import.meta.url).pathname;
    await Promise.all(
      Array.from({ length: writers }, () =>
        run(process.execPath, [self, "child", db.url, String(perWriter), String(group)]),
      ),
    );
    const seconds = (performance.now() - t0) / 1000;
    const s = await openPostgresStores(db.url);
    const size = await s.log.size();
    await s.close();
    const total = writers * perWriter;
    if (size !== total) throw new Error(`journal has ${size} entries, expected ${total}`);
    process.stdout.write(
      `pg-append: ${writers} processes x ${perWriter} x 1 KiB artifacts, groups of ${group}: ` +
        `${total} in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} artifacts/s (wall, incl. process start)\n`,
    );
  } finally {
    await db.drop();
  }
}

if (process.argv[2] === "child")
  await child(process.argv[3] as string, Number(process.argv[4]), Number(process.argv[5]));
else await main();
