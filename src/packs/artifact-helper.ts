import { Worker } from "node:worker_threads";
import type { SharePayload, ShareResult } from "./artifact-share.js";
import type { HelperReply, HelperRequest } from "./artifact-worker.js";

const WORKER_URL = new URL("./artifact-worker.js", import.meta.url);

/** Below this many artifacts a pack is checked on one thread: the hand-over would cost more than it saves. */
export const SHARED_FROM = 2_000;

let shared: ArtifactHelper | null = null;

/** A request before it is numbered. */
type Request = HelperRequest extends infer R ? (R extends HelperRequest ? Omit<R, "id"> : never) : never;
type Answered = Extract<HelperReply, { ok: true }>;

/**
 * The second thread of an offline verification: it hashes the members of a
 * pack as it is read (BatchHasher), then checks part of a large pack's
 * artifacts (verifyPack). One per process, started on first use and kept,
 * so a process that verifies many packs starts and warms it up once; it
 * never keeps the process alive when idle. Requests are answered in order.
 * A worker that fails answers null, and the caller does that work itself:
 * the outcome is the same.
 */
export class ArtifactHelper {
  private readonly worker: Worker;
  private failed = false;
  private readonly waiting = new Map<number, (reply: Answered | null) => void>();
  private nextId = 0;

  constructor(readonly minArtifacts = SHARED_FROM) {
    this.worker = new Worker(WORKER_URL);
    this.worker.unref();
    this.worker.on("message", (m: HelperReply) => this.settle(m.id, m));
    const fail = (): void => {
      this.failed = true;
      for (const id of [...this.waiting.keys()]) this.settle(id, null);
    };
    this.worker.on("error", fail);
    this.worker.on("exit", fail);
  }

  /** The process's helper, started now if it is not running. */
  static shared(): ArtifactHelper {
    if (shared === null || shared.failed) shared = new ArtifactHelper();
    return shared;
  }

  /** Checks the shared artifacts (checkShare). */
  async check(payload: SharePayload): Promise<ShareResult | null> {
    const reply = await this.ask({ kind: "check", payload }, [payload.blob.buffer as ArrayBuffer]);
    return reply?.kind === "check" ? reply.result : null;
  }

  /** The SHA-256 (lowercase hex, concatenated) of each of the consecutive pieces of `bytes` that `lengths` gives. */
  async hash(bytes: Uint8Array, lengths: Int32Array): Promise<string | null> {
    const reply = await this.ask({ kind: "hash", bytes, lengths }, []);
    return reply?.kind === "hash" ? reply.hex : null;
  }

  private ask(request: Request, transfer: ArrayBuffer[]): Promise<Answered | null> {
    if (this.failed) return Promise.resolve(null);
    const id = this.nextId++;
    // Referenced while it works: an unreferenced worker would let the process exit before it answers.
    if (this.waiting.size === 0) this.worker.ref();
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.worker.postMessage({ ...request, id }, transfer);
    });
  }

  private settle(id: number, reply: HelperReply | null): void {
    const resolve = this.waiting.get(id);
    if (resolve === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker.unref();
    resolve(reply !== null && reply.ok ? reply : null);
  }

  /** Stops this helper (a test's own; the shared one lives as long as the process). */
  async close(): Promise<void> {
    this.failed = true;
    await this.worker.terminate();
  }
}
