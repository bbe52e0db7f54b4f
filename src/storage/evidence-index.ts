import type { ArtifactState, EvidenceRow, LifecycleFact } from "./index-ops.js";

export interface EvidenceFilter {
  readonly domain?: string;
  readonly subdomain?: string;
  readonly kind?: string;
  readonly from?: string;
  readonly to?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly limit?: number;
  readonly orderBy?: "leaf" | "size";
}

export interface EvidenceStats {
  readonly artifacts: number;
  readonly bytes: number;
  readonly byKind: readonly { kind: string; artifacts: number; bytes: number }[];
}

export interface EvidenceIdentity {
  readonly leafIndex: number;
  readonly metaHash: Buffer;
}

export interface ArtifactLifecycle {
  readonly hold: LifecycleFact | null;
  readonly state: { readonly state: ArtifactState; readonly fact: LifecycleFact } | null;
}

/** An artifact whose retention ran out: not held, not already expired. */
export interface RetentionCandidate {
  readonly digest: Buffer;
  readonly leafIndex: number;
  readonly retention: string;
  readonly date: string;
  readonly size: number;
}

/** Read side of the evidence projection. */
export interface EvidenceIndex {
  get(digest: Buffer): Promise<EvidenceRow | null>;
  /** Just what idempotency needs, without reading the record. */
  identity(digest: Buffer): Promise<EvidenceIdentity | null>;
  /** identity() for many digests in one round trip; the map is keyed by hex digest. */
  identities(digests: readonly Buffer[]): Promise<Map<string, EvidenceIdentity>>;
  list(filter: EvidenceFilter): Promise<EvidenceRow[]>;
  stats(): Promise<EvidenceStats>;
  lifecycle(leafIndex: number): Promise<ArtifactLifecycle>;
  /** Unheld, unexpired artifacts of `retention` dated before `before` (YYYY-MM-DD), oldest first. */
  retentionCandidates(retention: string, before: string, limit: number): Promise<RetentionCandidate[]>;
  /** Number of journal entries the index has applied (index position). */
  position(): Promise<number>;
}
