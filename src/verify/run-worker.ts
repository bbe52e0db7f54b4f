import { Worker } from "node:worker_threads";
import type { Finding, VerifyCounts } from "./report.js";
import type { ShardTask } from "./verify-worker.js";

export interface WorkerResult {
  readonly findings: Finding[];
  readonly counts: VerifyCounts;
}

const WORKER_URL = new URL("./verify-worker.js", import.meta.url);

export function runWorker(task: ShardTask): Promise<WorkerResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER_URL, { workerData: task });
    w.once("message", (m: { ok: boolean; error?: string } & WorkerResult) => {
      if (m.ok) resolve(m);
      else reject(new Error(`verification worker failed: ${m.error ?? "unknown error"}`));
    });
    w.once("error", reject);
    w.once("exit", (code) => code !== 0 && reject(new Error(`verification worker exited with ${code}`)));
  });
}
