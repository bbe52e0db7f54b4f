import type { NodeReader } from "./proof-build.js";
import type { NodeId } from "./ranges.js";

interface Pending {
  readonly at: number;
  readonly count: number;
  resolve(hashes: readonly Uint8Array[]): void;
  reject(e: unknown): void;
}

/**
 * A NodeReader that merges every read asked for in one turn of the event
 * loop (before the microtask queue drains) into one read of `read`: a proof
 * and the roots it is checked against cost one storage round trip, not one
 * each. Each caller gets its own slice, in the order it asked; a failed read
 * fails every caller of that turn.
 */
export function coalesceReads(read: NodeReader): NodeReader {
  let ids: NodeId[] = [];
  let waiting: Pending[] = [];
  const flush = (): void => {
    const batch = ids;
    const callers = waiting;
    ids = [];
    waiting = [];
    read(batch).then(
      (hashes) => {
        for (const c of callers) c.resolve(hashes.slice(c.at, c.at + c.count));
      },
      (e: unknown) => {
        for (const c of callers) c.reject(e);
      },
    );
  };
  return (asked) =>
    new Promise((resolve, reject) => {
      if (waiting.length === 0) queueMicrotask(flush);
      waiting.push({ at: ids.length, count: asked.length, resolve, reject });
      ids.push(...asked);
    });
}
