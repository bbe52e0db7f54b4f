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
