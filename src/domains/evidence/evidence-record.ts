import { createHash, hash } from "node:crypto";
import { canonicalize, type JournalRecord } from "../../journal/index.js";
import type { EvidenceIndexRow, IndexOp } from "../../storage/index-ops.js";
import { canonicalPath, DEFAULT_TENANT, type EvidenceMeta } from "./metadata.js";

export const EVIDENCE_ADDED = "evidence.added";

/**
 * evidence.added v1: the journal's commitment to an artifact's bytes and
 * metadata. `tenant` is present only for tenants other than the default, so
 * records written before tenants existed keep their bytes and meaning.
 */
export interface EvidenceAddedRecord extends JournalRecord, Omit<EvidenceMeta, "ext" | "tenant"> {
  readonly tenant?: string;
  readonly type: typeof EVIDENCE_ADDED;
  readonly v: 1;
  readonly digest: string;
  readonly size: number;
  readonly path: string;
  readonly addedAt: string;
}

export function evidenceAdded(
  digest: Buffer,
  size: number,
  meta: EvidenceMeta,
  addedAt: Date,
): EvidenceAddedRecord {
  // Members in canonical (RFC 8785) order, so encoding takes the fast path (labels as given).
  return {
    addedAt: addedAt.toISOString(),
    date: meta.date,
    digest: `sha256:${digest.toString("hex")}`,
    domain: meta.domain,
    kind: meta.kind,
    labels: meta.labels,
    name: meta.name,
    parents: meta.parents,
    path: canonicalPath(meta),
    producer: meta.producer,
    retention: meta.retention,
    size,
    subdomain: meta.subdomain,
    ...(meta.tenant === DEFAULT_TENANT ? {} : { tenant: meta.tenant }),
    type: EVIDENCE_ADDED,
    v: 1,
  };
}

/** Hash of everything but the time: equal for an idempotent re-add of the same bytes and metadata. */
export function metaHash(r: EvidenceAddedRecord): Buffer {
  const { addedAt: _ignored, ...rest } = r;
  return createHash("sha256").update(canonicalize(rest)).digest();
}

/**
 * metaHash from the record's canonical bytes, without canonicalising twice.
 * "addedAt" sorts first among the record's keys (RFC 8785 s3.2.3), and
 * removing one member from a canonical object leaves the canonical form of
 * the rest, so the metadata bytes are "{" followed by everything after the
 * addedAt member. A test checks this equals metaHash().
 */
export function metaHashFromCanonical(bytes: Buffer, addedAt: string): Buffer {
  const member = Buffer.byteLength(`{"addedAt":${JSON.stringify(addedAt)},`);
  const input = Buffer.allocUnsafe(bytes.length - member + 1);
  input[0] = 0x7b; // "{"
  bytes.copy(input, 1, member);
  return hash("sha256", input, "buffer");
}

export function isEvidenceAdded(r: JournalRecord): r is EvidenceAddedRecord {
  return r.type === EVIDENCE_ADDED && r.v === 1;
}

/** The evidence projection: pure, so replay gives the same index every time. */
export function projectEvidence(record: JournalRecord, index: number, bytes: Buffer): readonly IndexOp[] {
  if (!isEvidenceAdded(record)) return [];
  const digest = Buffer.from(record.digest.slice(7), "hex");
  return [evidencePut(record, index, digest, metaHashFromCanonical(bytes, record.addedAt))];
}

/** The index write for one evidence.added record (shared by ingest and replay). */
export function evidencePut(
  record: EvidenceAddedRecord,
  index: number,
  digest: Buffer,
  metaHash: Buffer,
): IndexOp {
  const row: EvidenceIndexRow = {
    digest,
    leafIndex: index,
    tenant: recordTenant(record),
    domain: record.domain,
    subdomain: record.subdomain,
    kind: record.kind,
    date: record.date,
    size: record.size,
    retention: record.retention,
    metaHash,
  };
  return { op: "evidence.put", row };
}

/** The tenant an evidence.added record belongs to. */
export function recordTenant(r: EvidenceAddedRecord): string {
  return r.tenant ?? DEFAULT_TENANT;
}
