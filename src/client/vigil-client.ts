import type { Readable } from "node:stream";
import type { EvidenceFilter } from "../storage/evidence-index.js";
import type { AddOutcome, rowSummary } from "../domains/evidence/evidence-service.js";
import type { RawEvidenceMeta } from "../domains/evidence/metadata.js";
import type { ProvenanceNode } from "../domains/evidence/provenance.js";
import type { inspectArtifact } from "../app/evidence-queries.js";

export type RowSummary = ReturnType<typeof rowSummary>;
export type Inspection = Awaited<ReturnType<typeof inspectArtifact>>;
export type LifecycleAction = "hold" | "release" | "mark-corrupted";

/** The list filters a client passes on: the index's, but never across tenants (the client has one). */
export type ListFilter = Omit<EvidenceFilter, "tenant" | "orderBy">;

/** An artifact's contents, and a warning to show beside them (marked corrupted). */
export interface Contents {
  readonly stream: Readable;
  readonly warning: string | null;
}

/**
 * What the CLI's evidence commands ask of a locker, wherever it is: the
 * local adapter (LocalClient, over an open Vigil) or the HTTP adapter
 * (HttpClient, over a server's /v1 API). Both answer with the same values and
 * fail with the same VigilError codes, so a command prints and exits alike in
 * either mode. Artifacts are named by digest, already parsed by the caller.
 */
export interface VigilClient {
  /** Adds FILE, or stdin for "-"; `raw` is the metadata as given (parsed by the locker). */
  add(source: string, raw: RawEvidenceMeta): Promise<AddOutcome>;
  contents(digest: Buffer): Promise<Contents>;
  inspect(digest: Buffer): Promise<Inspection>;
  exists(digest: Buffer): Promise<boolean>;
  list(filter: ListFilter): Promise<RowSummary[]>;
  provenance(digest: Buffer): Promise<{ root: ProvenanceNode; lines: string[] }>;
  /** Records a hold, release or corruption; returns the record's leaf. */
  lifecycle(action: LifecycleAction, digest: Buffer, reason: string | undefined): Promise<number>;
  close(): Promise<void>;
}
