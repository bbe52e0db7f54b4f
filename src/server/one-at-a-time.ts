import { VigilError } from "../errors.js";

const running = new WeakMap<object, Set<string>>();

/**
 * Runs `fn` unless a job of the same kind is already running for this
 * server (a full verification or a backup reads the whole locker): the
 * second caller gets CONFLICT (409) at once rather than waiting.
 */
export async function oneAtATime<T>(owner: object, kind: string, fn: () => Promise<T>): Promise<T> {
  const set = running.get(owner) ?? new Set<string>();
  running.set(owner, set);
  if (set.has(kind)) throw new VigilError("CONFLICT", `a ${kind} is already running`);
  set.add(kind);
  try {
    return await fn();
  } finally {
    set.delete(kind);
  }
}

const queues = new WeakMap<object, Map<string, Promise<unknown>>>();

/**
 * Runs `fn` after every earlier job of the same kind for this owner has
 * settled (anchors: the timer and POST /v1/anchors must not both sign the
 * same tree size).
 */
export function inTurn<T>(owner: object, kind: string, fn: () => Promise<T>): Promise<T> {
  const map = queues.get(owner) ?? new Map<string, Promise<unknown>>();
  queues.set(owner, map);
  const run = (map.get(kind) ?? Promise.resolve()).then(fn, fn);
  map.set(
    kind,
    run.catch(() => undefined),
  );
  return run;
}
