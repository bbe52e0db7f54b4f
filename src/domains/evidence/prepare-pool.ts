import { Worker } from "node:worker_threads";
import type { PrepareRequest, PrepareResult } from "./prepare-worker.js";

const WORKER_URL = new URL("./prepare-worker.js", import.meta.url);

/** One preparation worker; requests are answered in order. unref'd so it never keeps the process alive. */
export class PreparePool {
  private readonly worker = new Worker(WORKER_URL, { resourceLimits: { maxYoungGenerationSizeMb: 128 } });
  private readonly waiting = new Map<
    number,
    { resolve: (r: PrepareResult[]) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    this.worker.unref();
    this.worker.on("message", (m: { id: number; results: PrepareResult[] }) => {
      this.waiting.get(m.id)?.resolve(m.results);
      this.waiting.delete(m.id);
    });
    this.worker.on("error", (e) => this.fail(e));
    this.worker.on(
      "exit",
      (code) => code !== 0 && this.fail(new Error(`preparation worker exited with ${code}`)),
    );
  }

  prepare(items: PrepareRequest["items"], addedAt: Date, inlineLimit: number): Promise<PrepareResult[]> {
    if (this.failure !== null) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      this.worker.postMessage({
        id,
        addedAt: addedAt.toISOString(),
        inlineLimit,
        items,
      } satisfies PrepareRequest);
    });
  }

  private fail(e: Error): void {
    this.failure = e;
    for (const w of this.waiting.values()) w.reject(e);
    this.waiting.clear();
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}
