/**
 * Batched ingest of N artifacts of 1 KiB, durable before acknowledgement,
 * against a raw better-sqlite3 baseline inserting the same rows with their
 * SHA-256 in 1,000-row transactions (same pragmas: WAL, synchronous=FULL).
 *
 *   node dist/bench/ingest-small.js [N]
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { freshLocker, ingest } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 100000);
const BATCH = 1000;
const payloads = Array.from({ length: N }, () => randomBytes(1024));

function baseline(dir: string): number {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, "raw.db"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec("CREATE TABLE t (sha256 BLOB PRIMARY KEY, data BLOB NOT NULL)");
  const ins = db.prepare("INSERT INTO t (sha256, data) VALUES (?, ?)");
  const tx = db.transaction((rows: Buffer[]) => {
    for (const r of rows) ins.run(createHash("sha256").update(r).digest(), r);
  });
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) tx(payloads.slice(i, i + BATCH));
  const s = (performance.now() - t0) / 1000;
  db.close();
  return N / s;
}

async function vigil(dir: string): Promise<number> {
  const v = freshLocker(dir);
  const seconds = await ingest(v, payloads, BATCH);
  await v.close();
  return N / seconds;
}

const dir = mkdtempSync(join(tmpdir(), "vigil-bench-"));
try {
  // Alternate the two, three rounds each, and compare medians: single fsync-bound runs vary by +-20 %.
  const raws: number[] = [];
  const ours: number[] = [];
  for (let round = 0; round < 3; round++) {
    raws.push(baseline(join(dir, `raw-${round}`)));
    ours.push(await vigil(join(dir, `vigil-${round}`)));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[1] as number;
  report("ingest-small", [
    {
      figure: `vigil batched ingest, ${N} x 1 KiB (median of 3)`,
      value: median(ours),
      unit: "artifacts/s",
      target: ">= 30000",
    },
    { figure: "raw better-sqlite3 baseline (median of 3)", value: median(raws), unit: "rows/s" },
    { figure: "ratio vigil / baseline", value: median(ours) / median(raws), unit: "x", target: ">= 0.5" },
  ]);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
