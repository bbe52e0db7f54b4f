import { createHash } from "node:crypto";
import { canonicalize, type JournalRecord } from "../../journal/index.js";
import type { EvidenceRow, IndexOp } from "../../storage/index-ops.js";
import { canonicalPath, type EvidenceMeta } from "./metadata.js";

export const EVIDENCE_ADDED = "evidence.added";

/** evidence.added v1: the journal's commitment to an artifact's bytes and metadata. */
export interface EvidenceAddedRecord extends JournalRecord {
  readonly type: typeof EVIDENCE_ADDED;
  readonly v: 1;
  readonly digest: string;
  readonly size: number;
  readonly domain: string;
  readonly subdomain: string;
  readonly name: string;
  readonly date: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly retention: string;
  readonly producer: string | null;
  readonly parents: readonly string[];
  readonly path: string;
  readonly addedAt: string;
}

export function evidenceAdded(digest: Buffer, size: number, meta: EvidenceMeta, addedAt: Date): EvidenceAddedRecord {
  return {
    type: EVIDENCE_ADDED,
    v: 1,
    digest: `sha256:${digest.toString("hex")}`,
    size,
    domain: meta.domain,
    subdomain: meta.subdomain,
    name: meta.name,
    date: meta.date,
    kind: meta.kind,
    labels: meta.labels,
    retention: meta.retention,
    producer: meta.producer,
    parents: meta.parents,
    path: canonicalPath(meta),
    addedAt: addedAt.toISOString(),
  };
}

/** Hash of everything but the time: equal for an idempotent re-add of the same bytes and metadata. */
export function metaHash(r: EvidenceAddedRecord): Buffer {
  const { addedAt: _ignored, ...rest } = r;
  return createHash("sha256").update(canonicalize(rest)).digest();
}

export function isEvidenceAdded(r: JournalRecord): r is EvidenceAddedRecord {
  return r.type === EVIDENCE_ADDED && r.v === 1;
}

/** The evidence projection: pure, so replay gives the same index every time. */
export function projectEvidence(record: JournalRecord, index: number): readonly IndexOp[] {
  if (!isEvidenceAdded(record)) return [];
  const row: EvidenceRow = {
    digest: Buffer.from(record.digest.slice(7), "hex"),
    leafIndex: index,
    domain: record.domain,
    subdomain: record.subdomain,
    name: record.name,
    date: record.date,
    kind: record.kind,
    retention: record.retention,
    producer: record.producer,
    size: record.size,
    path: record.path,
    labels: record.labels,
    parents: record.parents.map((p) => Buffer.from(p.slice(7), "hex")),
    addedAt: record.addedAt,
    metaHash: metaHash(record),
  };
  return [{ op: "evidence.put", row }];
}
