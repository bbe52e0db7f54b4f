/**
 * `index rebuild`: replay the whole journal into a fresh index, records/s,
 * twice, checking the state hash is identical on both replays.
 *
 *   node dist/bench/index-rebuild.js [records]
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { decodeStored, projectAll } from "../src/app/projection.js";
import { freshLocker, ingest, tempDir } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 100_000);
const { dir, cleanup } = tempDir("rebuild");
try {
  const v = freshLocker(join(dir, "r"));
  await ingest(
    v,
    Array.from({ length: N }, () => randomBytes(256)),
    5000,
  );
  const before = v.maintenance.stateHash();
  const a = v.maintenance.rebuild(decodeStored, projectAll);
  const b = v.maintenance.rebuild(decodeStored, projectAll);
  if (a.stateHash !== b.stateHash || a.stateHash !== before) throw new Error("replay is not deterministic");
  await v.close();
  report("index-rebuild", [
    {
      figure: `index rebuild of ${N} records`,
      value: N / Math.min(a.seconds, b.seconds),
      unit: "records/s",
      target: ">= 100000",
    },
    { figure: "state hash identical on both replays and to the live index", value: 1, unit: "yes" },
  ]);
} finally {
  cleanup();
}
