/**
 * Projection writes: what a record changes in the index. Domains compute
 * them (pure); each adapter applies them in the same transaction as the
 * append, and again, from scratch, on rebuild.
 */
/** The tenant of evidence written without one (records from before tenants; the CLI's default). */
export const DEFAULT_TENANT = "default";

export interface EvidenceRow {
  readonly digest: Buffer;
  readonly tenant: string;
  readonly leafIndex: number;
  readonly domain: string;
  readonly subdomain: string;
  readonly name: string;
  readonly date: string;
  readonly kind: string;
  readonly retention: string;
  readonly producer: string | null;
  readonly size: number;
  readonly path: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly parents: readonly Buffer[];
  readonly addedAt: string;
  /** A hash of the record's metadata, to recognise an idempotent re-add. */
  readonly metaHash: Buffer;
}

/** The columns the evidence index keeps; the rest is read from the journal record. */
export type EvidenceIndexRow = Pick<
  EvidenceRow,
  | "digest"
  | "tenant"
  | "leafIndex"
  | "domain"
  | "subdomain"
  | "kind"
  | "date"
  | "size"
  | "retention"
  | "metaHash"
>;

/** An artifact's lifecycle fact, keyed by the leaf of its evidence.added record. */
export interface LifecycleFact {
  readonly evidenceLeaf: number;
  readonly reason: string;
  readonly at: string;
  /** Leaf of the record that established the fact. */
  readonly recordLeaf: number;
}

export type ArtifactState = "expired" | "corrupted";

/** An API token as the token projection holds it (the secret only as its SHA-256). */
export interface TokenRow {
  readonly id: string;
  readonly secretHash: Buffer;
  readonly name: string;
  readonly role: string;
  readonly tenant: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly recordLeaf: number;
}

export interface StoredToken extends TokenRow {
  readonly revokedAt: string | null;
}

export type IndexOp =
  | { readonly op: "evidence.put"; readonly row: EvidenceIndexRow }
  | { readonly op: "hold.put"; readonly fact: LifecycleFact }
  | { readonly op: "hold.delete"; readonly evidenceLeaf: number }
  | { readonly op: "state.put"; readonly state: ArtifactState; readonly fact: LifecycleFact }
  | { readonly op: "state.delete"; readonly evidenceLeaf: number }
  | { readonly op: "token.put"; readonly token: TokenRow }
  | { readonly op: "token.revoke"; readonly id: string; readonly at: string };
