/** What verification found wrong, naming the artifact, leaf, node or anchor. */
export interface Finding {
  readonly kind: "artifact" | "leaf" | "record" | "node" | "anchor" | "index";
  readonly id: string;
  readonly problem: string;
}

export interface VerifyCounts {
  artifacts: number;
  /** Artifacts whose contents expired under retention (expected to be absent). */
  expired: number;
  bytes: number;
  leaves: number;
  nodes: number;
  anchors: number;
}

/** vigil.verify-report v1: stored as evidence after every run. */
export interface VerifyReport {
  readonly format: "vigil.verify-report";
  readonly v: 1;
  readonly mode: "quick" | "full";
  readonly lockerId: string;
  readonly journalSize: number;
  readonly sample: number | null;
  readonly seed: number | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
  readonly result: "passed" | "failed";
  readonly counts: VerifyCounts;
  readonly findings: readonly Finding[];
  /** Known, recorded states that are not failures: expired contents, artifacts marked corrupted. */
  readonly expected: readonly Finding[];
}

export function emptyCounts(): VerifyCounts {
  return { artifacts: 0, expired: 0, bytes: 0, leaves: 0, nodes: 0, anchors: 0 };
}

export function addCounts(a: VerifyCounts, b: Partial<VerifyCounts>): void {
  a.artifacts += b.artifacts ?? 0;
  a.expired += b.expired ?? 0;
  a.bytes += b.bytes ?? 0;
  a.leaves += b.leaves ?? 0;
  a.nodes += b.nodes ?? 0;
  a.anchors += b.anchors ?? 0;
}
