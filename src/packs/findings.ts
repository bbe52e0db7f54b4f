/** One integrity problem in a pack, naming the file and, when known, the artifact. */
export interface PackFinding {
  readonly file: string;
  readonly artifact: string | null;
  readonly problem: string;
}

/** Collects findings (integrity failures, exit 1) and key problems (exit 6) during a verification. */
export class Findings {
  readonly list: PackFinding[] = [];
  readonly keyProblems: string[] = [];

  add(file: string, artifact: string | null, problem: string): void {
    this.list.push({ file, artifact, problem });
  }

  key(problem: string): void {
    this.keyProblems.push(problem);
  }

  /** Runs a check and tells whether it added no finding. */
  clean(check: () => void): boolean {
    const before = this.list.length + this.keyProblems.length;
    check();
    return this.list.length + this.keyProblems.length === before;
  }
}
