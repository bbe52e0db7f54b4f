/**
 * Point-in-time recovery: `restore --to-anchor` in place on a locker of N
 * records, rolling back the last 10 % (anchors at 90 % and 100 %). The time
 * includes the automatic backup, the one-transaction cut, the index rebuild
 * and the root check. Target: < 30 s for 1,000,000 records.
 *
 *   node dist/bench/restore.js [records=1000000] [bytes per record=1024]
 */
import { randomBytes } from "node:crypto";
import { rmSync, statSync } from "node:fs";
import type { Vigil } from "../src/app/vigil.js";
import { createBackup } from "../src/lifecycle/backup-create.js";
import { rollBackInPlace } from "../src/lifecycle/point-in-time.js";
import { createAnchor } from "../src/log/anchors.js";
import { freshLocker, ingest, tempDir } from "./lib.js";
import { report } from "./report.js";

const records = Number(process.argv[2] ?? 1_000_000);
const size = Number(process.argv[3] ?? 1024);
const { dir, cleanup } = tempDir("restore");
try {
  const v = freshLocker(dir);
  const keep = Math.floor(records * 0.9);
  await fill(v, keep, size);
  const target = await anchor(v);
  await fill(v, records - keep, size);
  await anchor(v);
  v.log.checkpointWal();
  const dbBytes = statSync(v.paths.database).size;
  const t0 = performance.now();
  const r = await rollBackInPlace(v, target);
  const seconds = (performance.now() - t0) / 1000;
  if (r.anchor.size !== keep || (await v.log.size()) !== keep)
    throw new Error("rolled back to the wrong size");
  const backupSeconds = await timeBackup(v);
  await v.close();
  report("restore", [
    {
      figure: `restore --to-anchor: ${records} records (${(dbBytes / 2 ** 20).toFixed(0)} MiB db) back to ${keep}`,
      value: seconds,
      unit: "s",
      target: "< 30",
    },
    {
      figure: "  a backup alone, for scale (the automatic one is included above)",
      value: backupSeconds,
      unit: "s",
    },
    { figure: "entries removed", value: r.removedEntries, unit: "entries" },
  ]);
} finally {
  cleanup();
}

async function timeBackup(v: Vigil): Promise<number> {
  const t0 = performance.now();
  const b = await createBackup(v);
  const s = (performance.now() - t0) / 1000;
  rmSync(b.dir, { recursive: true, force: true });
  return s;
}

async function fill(v: Vigil, n: number, bytes: number): Promise<void> {
  for (let done = 0; done < n;) {
    const k = Math.min(50_000, n - done);
    await ingest(
      v,
      Array.from({ length: k }, () => randomBytes(bytes)),
      5000,
    );
    done += k;
  }
}

async function anchor(v: Vigil): Promise<number> {
  const ctx = { log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock: v.clock };
  return (await createAnchor(ctx)).anchor.seq;
}
