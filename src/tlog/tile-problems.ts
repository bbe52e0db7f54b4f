import { entryBundlePath, hashTilePath } from "../journal/index.js";

/** One file that failed verification, named by its path relative to the tile directory. */
export interface TileProblem {
  readonly path: string;
  readonly problem: string;
}

/** Enough to locate every kind of damage without letting a wrecked directory flood the report. */
export const MAX_PROBLEMS = 100;

type SortKey = readonly [number, number, number];

/**
 * Problems in a stable order whatever order they were found in: the
 * checkpoint, then each entry bundle followed by its level-0 tile, then the
 * higher levels bottom up. The first one is the report's `firstBad`.
 */
export class ProblemList {
  private readonly items: { key: SortKey; item: TileProblem }[] = [];
  private stopped = false;

  get count(): number {
    return this.items.length;
  }

  /** `last`: a conclusion drawn from other problems, listed after the files that explain it. */
  checkpoint(problem: string, last = false): void {
    this.add(last ? [Number.MAX_SAFE_INTEGER, 0, 0] : [0, 0, 0], "checkpoint", problem);
  }

  bundle(index: number, width: number, problem: string): void {
    this.add([1, index, 0], entryBundlePath(index, width), problem);
  }

  tile(level: number, index: number, width: number, problem: string): void {
    this.add(level === 0 ? [1, index, 1] : [1 + level, index, 0], hashTilePath(level, index, width), problem);
  }

  /** True once MAX_PROBLEMS are recorded: the caller stops checking, and the report says so. */
  stopIfFull(): boolean {
    if (this.items.length >= MAX_PROBLEMS) this.stopped = true;
    return this.stopped;
  }

  sorted(): TileProblem[] {
    const out = [...this.items].sort((a, b) => compareKeys(a.key, b.key)).map((x) => x.item);
    if (this.stopped) out.push({ path: ".", problem: `stopped checking after ${MAX_PROBLEMS} problems` });
    return out;
  }

  private add(key: SortKey, path: string, problem: string): void {
    this.items.push({ key, item: { path, problem } });
  }
}

function compareKeys(a: SortKey, b: SortKey): number {
  return a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
}
