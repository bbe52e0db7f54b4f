import type { ArtifactState, EvidenceRow, LifecycleFact } from "./index-ops.js";

export interface EvidenceFilter {
  /** Only this tenant's artifacts; absent = every tenant (local administration only). */
  readonly tenant?: string;
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

/** What a read of an artifact's contents needs, found in one storage read. */
export interface ArtifactRetrieval {
  readonly leafIndex: number;
  /** Expired or corrupted, with its fact; null = neither (a hold does not change a read). */
  readonly state: ArtifactLifecycle["state"];
  /** The contents when they are inline; null when they are chunks or a file (BlobStore.open) or gone. */
  readonly inline: Buffer | null;
}

/** An artifact whose retention ran out: not held, not already expired. */
export interface RetentionCandidate {
  readonly digest: Buffer;
  readonly leafIndex: number;
  readonly retention: string;
  readonly date: string;
  readonly size: number;
}

/** An artifact's key: digests are unique within a tenant, not across tenants. */
export interface TenantDigest {
  readonly tenant: string;
  readonly digest: Buffer;
}

/** The key of identities()' map: `${tenant}/${hex digest}`. */
export function tenantDigestKey(tenant: string, digest: Buffer): string {
  return `${tenant}/${digest.toString("hex")}`;
}

/** Read side of the evidence projection. Every lookup by digest is scoped to one tenant. */
export interface EvidenceIndex {
  get(digest: Buffer, tenant: string): Promise<EvidenceRow | null>;
  /** Just what idempotency needs, without reading the record. */
  identity(digest: Buffer, tenant: string): Promise<EvidenceIdentity | null>;
  /** identity() for many keys in one round trip; the map is keyed by tenantDigestKey(). */
  identities(keys: readonly TenantDigest[]): Promise<Map<string, EvidenceIdentity>>;
  /** identity(), lifecycle state and inline contents of one artifact in one read (GET of contents). */
  retrieval(digest: Buffer, tenant: string): Promise<ArtifactRetrieval | null>;
  list(filter: EvidenceFilter): Promise<EvidenceRow[]>;
  /** Counts and bytes, of one tenant or (absent) of every tenant. */
  stats(tenant?: string): Promise<EvidenceStats>;
  lifecycle(leafIndex: number): Promise<ArtifactLifecycle>;
  /** Unheld, unexpired artifacts of `retention` dated before `before` (YYYY-MM-DD), oldest first. */
  retentionCandidates(retention: string, before: string, limit: number): Promise<RetentionCandidate[]>;
  /** Number of journal entries the index has applied (index position). */
  position(): Promise<number>;
}
