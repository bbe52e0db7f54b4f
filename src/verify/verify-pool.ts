import { Worker } from "node:worker_threads";
import type { VerifyTask, VerifyTaskResult } from "./verify-worker.js";

const WORKER_URL = new URL("./verify-worker.js", import.meta.url);

/** Runs tasks on `size` workers, each taking the next task when it finishes one. */
export async function runTasks(
  db: string,
  size: number,
  tasks: readonly VerifyTask[],
  onDone?: (n: number) => void,
): Promise<VerifyTaskResult[]> {
  const results: VerifyTaskResult[] = new Array<VerifyTaskResult>(tasks.length);
  let next = 0;
  let done = 0;
  const workers = Array.from(
    { length: Math.min(size, tasks.length) },
    () => new Worker(WORKER_URL, { workerData: { db }, resourceLimits: { maxYoungGenerationSizeMb: 128 } }),
  );
  try {
    await Promise.all(
      workers.map(async (w) => {
        for (let i = next++; i < tasks.length; i = next++) {
          results[i] = await runOne(w, tasks[i] as VerifyTask);
          onDone?.(++done);
        }
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return results;
}

function runOne(w: Worker, task: VerifyTask): Promise<VerifyTaskResult> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      w.off("message", onMessage);
      w.off("error", onError);
    };
    const onMessage = (m: { ok: boolean; result?: VerifyTaskResult; error?: string }) => {
      cleanup();
      if (m.ok && m.result) resolve(m.result);
      else reject(new Error(`verification worker failed: ${m.error ?? "unknown error"}`));
    };
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    w.on("message", onMessage);
    w.on("error", onError);
    w.postMessage(task);
  });
}
