import type { Readable } from "node:stream";
import type { EvidenceFilter } from "../storage/evidence-index.js";
import type { IndexStatus as StoredIndexStatus } from "../storage/index-maintenance.js";
import type { AddOutcome, rowSummary } from "../domains/evidence/evidence-service.js";
import type { RawEvidenceMeta } from "../domains/evidence/metadata.js";
import type { ProvenanceNode } from "../domains/evidence/provenance.js";
import type { ReceiptAudit } from "../domains/access/receipt-audit.js";
import type { inspectArtifact } from "../app/evidence-queries.js";
import type { AnchorRow, anchorJson } from "../app/anchor-views.js";
import type { ConsistencyProofView, InclusionProofView } from "../app/proofs.js";
import type { fullStorageStats, lockerStatus, tenantStorageStats } from "../app/locker-status.js";
import type { VerifyRequest } from "../app/verification.js";
import type { tenantReportView } from "../app/verify-reports.js";
import type { ExportResult } from "../packs/export-pack.js";
import type { VerifyReport } from "../verify/report.js";

export type RowSummary = ReturnType<typeof rowSummary>;
export type Inspection = Awaited<ReturnType<typeof inspectArtifact>>;
export type LifecycleAction = "hold" | "release" | "mark-corrupted";
export type AnchorView = ReturnType<typeof anchorJson>;
export type LockerStatus = Awaited<ReturnType<typeof lockerStatus>>;
/** The whole locker's stats, or (a tenant-scoped token) one tenant's. */
export type StorageStats =
  Awaited<ReturnType<typeof fullStorageStats>> | Awaited<ReturnType<typeof tenantStorageStats>>;
/** A verification report in full, or as a tenant-scoped token sees it (counts only). */
export type ReportView = VerifyReport | ReturnType<typeof tenantReportView>;

/** The list filters a client passes on: the index's, but never across tenants (the client has one). */
export type ListFilter = Omit<EvidenceFilter, "tenant" | "orderBy">;

/** A pack selection in the client's tenant: ids, or the filters of `evidence list`. */
export type PackChoice = { readonly ids: readonly string[] } | { readonly query: Omit<ListFilter, "limit"> };

/** An artifact's contents, and a warning to show beside them (marked corrupted). */
export interface Contents {
  readonly stream: Readable;
  readonly warning: string | null;
}

/** `audit receipts` as given: times as typed (parsed by the locker against its clock). */
export interface ReceiptAsk {
  readonly since: string;
  readonly until?: string;
  readonly tenant?: string;
  readonly checkGaps: boolean;
  /** Most receipts listed (runs and gaps are judged over all of them). */
  readonly limit: number;
}

/**
 * What the CLI's remote-capable commands ask of a locker, wherever it is: the
 * local adapter (LocalClient, over an open locker) or the HTTP adapter
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

  /** Every anchor, oldest first; with `showLinks`, each one's consistency link. */
  anchors(showLinks: boolean): Promise<AnchorRow[]>;
  /** Anchor `seq`, or the latest (undefined); NOT_FOUND when there is none. */
  anchor(seq: number | undefined): Promise<AnchorView>;
  /** Signs a checkpoint of the journal now, unless the latest anchor covers it. */
  createAnchor(): Promise<AnchorView & { created: boolean }>;
  /** An artifact's inclusion proof in a tree of `size` (default: the latest anchor's, else the journal's). */
  inclusionProof(digest: Buffer, size: number | undefined): Promise<InclusionProofView>;
  consistencyProof(from: number, to: number): Promise<ConsistencyProofView>;

  /** Runs a verification and stores its report (reportId null when the locker could not take it). */
  verify(req: VerifyRequest, onProgress: (stage: string, n: number) => void): Promise<VerifyAnswer>;
  latestReport(): Promise<{ id: string; report: ReportView } | null>;
  status(): Promise<LockerStatus>;
  storageStats(): Promise<StorageStats>;
  indexStatus(): Promise<IndexStatus>;
  /** An offline evidence pack written to `output` (a .tar.gz locally or remotely; also a directory locally). */
  exportPack(choice: PackChoice, includeDeps: boolean, output: string): Promise<ExportResult>;
  receipts(ask: ReceiptAsk): Promise<ReceiptAudit>;
  close(): Promise<void>;
}

export interface VerifyAnswer {
  readonly report: ReportView;
  readonly reportId: string | null;
}

/** The index's position; row counts only for the whole locker (not for a tenant-scoped token). */
export type IndexStatus = Omit<StoredIndexStatus, "rows"> & Partial<Pick<StoredIndexStatus, "rows">>;
