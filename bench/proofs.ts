/**
 * Inclusion and consistency proof latency at 1,000,000 entries, in-process:
 * build from stored nodes and verify, p50/p99 over random requests.
 *
 *   node dist/bench/proofs.js [entries] [samples]
 */
import { join } from "node:path";
import {
  buildConsistencyProof,
  buildInclusionProof,
  encodeRecord,
  verifyConsistency,
  verifyInclusion,
} from "../src/journal/index.js";
import type { AppendItem } from "../src/storage/log-store.js";
import { freshLocker, percentile, tempDir } from "./lib.js";
import { report } from "./report.js";

const N = Number(process.argv[2] ?? 1_000_000);
const SAMPLES = Number(process.argv[3] ?? 10_000);
const { dir, cleanup } = tempDir("proofs");
try {
  const v = freshLocker(join(dir, "p"));
  const t0 = performance.now();
  for (let i = 0; i < N; i += 10_000) {
    const items: AppendItem[] = [];
    for (let k = i; k < Math.min(N, i + 10_000); k++) {
      const record = { type: "bench.entry", v: 1, n: k };
      items.push({ encoded: encodeRecord(record), record });
    }
    await v.log.append(items, () => []);
  }
  const buildSeconds = (performance.now() - t0) / 1000;
  const root = (await v.log.root(N)) as Buffer;
  const read = (ids: Parameters<typeof v.log.readNodes>[0]) => v.log.readNodes(ids);
  const incl: number[] = [];
  const cons: number[] = [];
  for (let s = 0; s < SAMPLES; s++) {
    const m = Math.floor(Math.random() * N);
    let t = performance.now();
    const proof = await buildInclusionProof(m, N, read);
    const [leaf] = await v.log.readNodes([{ level: 0, index: m }]);
    if (!verifyInclusion(m, N, leaf as Buffer, proof, root)) throw new Error(`inclusion ${m} failed`);
    incl.push(performance.now() - t);
    const size1 = 1 + Math.floor(Math.random() * (N - 1));
    t = performance.now();
    const cproof = await buildConsistencyProof(size1, N, read);
    const root1 = (await v.log.root(size1)) as Buffer;
    if (!verifyConsistency(size1, N, root1, root, cproof)) throw new Error(`consistency ${size1} failed`);
    cons.push(performance.now() - t);
  }
  incl.sort((a, b) => a - b);
  cons.sort((a, b) => a - b);
  await v.close();
  report("proofs", [
    { figure: `log of ${N} entries built in`, value: buildSeconds, unit: "s" },
    { figure: "inclusion proof (build+verify) p50", value: percentile(incl, 50), unit: "ms" },
    { figure: "inclusion proof (build+verify) p99", value: percentile(incl, 99), unit: "ms", target: "<= 1" },
    { figure: "consistency proof (build+root+verify) p50", value: percentile(cons, 50), unit: "ms" },
    {
      figure: "consistency proof (build+root+verify) p99",
      value: percentile(cons, 99),
      unit: "ms",
      target: "<= 1",
    },
  ]);
} finally {
  cleanup();
}
