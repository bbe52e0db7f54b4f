import { equalBytes, type EncodedRecord } from "../../journal/index.js";
import type { Clock } from "../../clock.js";
import {
  tenantDigestKey,
  type EvidenceIdentity,
  type EvidenceIndex,
  type TenantDigest,
} from "../../storage/evidence-index.js";
import type { EvidenceRow } from "../../storage/index-ops.js";
import type { AppendItem, LogStore, Projector } from "../../storage/log-store.js";
import { evidencePut, type EvidenceAddedRecord } from "./evidence-record.js";
import { prepareEvidence, type PreparedEvidence } from "./prepare.js";
import type { Ingested } from "./ingest.js";
import { formatArtifactId, type EvidenceMeta } from "./metadata.js";

export interface EvidenceDeps {
  readonly log: LogStore;
  readonly evidence: EvidenceIndex;
  readonly clock: Clock;
  readonly project: Projector;
}

export type AddStatus = "added" | "exists" | "conflict" | "missing-parent";

export interface AddOutcome {
  readonly id: string;
  readonly status: AddStatus;
  readonly leafIndex: number | null;
  readonly path: string;
  readonly size: number;
  readonly message?: string;
}

export interface Candidate {
  readonly contents: Ingested;
  readonly meta: EvidenceMeta;
  /** Record and hashes computed ahead (by the bulk-ingest worker); computed here when absent. */
  readonly prepared?: PreparedEvidence;
}

/**
 * Commits a group of artifacts in one durable transaction (group commit).
 * An artifact already present with the same metadata is "exists"
 * (idempotent); with different metadata it is a "conflict" and nothing is
 * written for it; a parent that is neither in the locker nor earlier in the
 * group is "missing-parent".
 */
export async function commitEvidence(deps: EvidenceDeps, group: readonly Candidate[]): Promise<AddOutcome[]> {
  return (await commitGroup(deps, group, () => [])).outcomes;
}

/**
 * commitEvidence plus other records in the same durable transaction, after
 * the evidence (the server's access records for the uploads, group-commit
 * partners). `extra` is called once the outcomes are known.
 */
export async function commitGroup(
  deps: EvidenceDeps,
  group: readonly Candidate[],
  extra: (outcomes: readonly AddOutcome[]) => readonly AppendItem[],
): Promise<{ outcomes: AddOutcome[]; extraFirst: number }> {
  const now = deps.clock.now();
  const outcomes: AddOutcome[] = [];
  const items: AppendItem[] = [];
  const accepted: Candidate[] = [];
  const pending = new Map<string, Buffer>();
  const known = await deps.evidence.identities(lookups(group));
  for (const c of group) {
    const {
      record,
      encoded,
      metaHash: mh,
    } = c.prepared ?? prepareEvidence(c.contents.digest, c.contents.size, c.meta, now);
    const rejected = classify(known, c, record, mh, pending);
    if (rejected !== null) {
      if (c.contents.kind === "file") await c.contents.staged.discard();
      outcomes.push(rejected);
      continue;
    }
    pending.set(tenantDigestKey(c.meta.tenant, c.contents.digest), mh);
    items.push(toAppendItem(c, record, encoded, mh));
    accepted.push(c);
    outcomes.push({
      id: record.digest,
      status: "added",
      leafIndex: items.length - 1,
      path: record.path,
      size: record.size,
    });
  }
  // Large contents become durable under their digest before the record that commits to them.
  for (const c of accepted) if (c.contents.kind === "file") await c.contents.staged.commit();
  const others = extra(outcomes);
  if (items.length === 0 && others.length === 0) return { outcomes, extraFirst: -1 };
  const { first } = await deps.log.append([...items, ...others], deps.project);
  return {
    outcomes: outcomes.map((o) =>
      o.status === "added" ? { ...o, leafIndex: first + (o.leafIndex as number) } : o,
    ),
    extraFirst: first + items.length,
  };
}

/** Every key the group's classification needs: its contents and its parents, in their tenants. */
function lookups(group: readonly Candidate[]): TenantDigest[] {
  const out = group.map((c) => ({ tenant: c.meta.tenant, digest: c.contents.digest }));
  for (const c of group)
    for (const p of c.meta.parents)
      out.push({ tenant: c.meta.tenant, digest: Buffer.from(p.slice(7), "hex") });
  return out;
}

function classify(
  index: ReadonlyMap<string, EvidenceIdentity>,
  c: Candidate,
  record: EvidenceAddedRecord,
  mh: Buffer,
  pending: Map<string, Buffer>,
): AddOutcome | null {
  const base = { id: record.digest, path: record.path, size: record.size };
  const key = tenantDigestKey(c.meta.tenant, c.contents.digest);
  const existing = index.get(key);
  const known = existing?.metaHash ?? pending.get(key);
  if (known !== undefined) {
    if (equalBytes(known, mh)) return { ...base, status: "exists", leafIndex: existing?.leafIndex ?? null };
    return {
      ...base,
      status: "conflict",
      leafIndex: existing?.leafIndex ?? null,
      message: "the same contents are already stored with different metadata",
    };
  }
  for (const p of record.parents) {
    const parent = tenantDigestKey(c.meta.tenant, Buffer.from(p.slice(7), "hex"));
    if (!pending.has(parent) && !index.has(parent)) {
      return {
        ...base,
        status: "missing-parent",
        leafIndex: null,
        message: `parent ${p} is not in the locker`,
      };
    }
  }
  return null;
}

function toAppendItem(
  c: Candidate,
  record: EvidenceAddedRecord,
  encoded: EncodedRecord,
  metaHash: Buffer,
): AppendItem {
  const digest = c.contents.digest;
  const ops = (index: number) => [evidencePut(record, index, digest, metaHash)];
  if (c.contents.kind === "inline")
    return { encoded, record, ops, inline: { digest, data: c.contents.data } };
  return { encoded, record, ops, file: { digest, size: c.contents.size } };
}

export function rowSummary(row: EvidenceRow) {
  return {
    id: formatArtifactId(row.digest),
    leafIndex: row.leafIndex,
    path: row.path,
    domain: row.domain,
    subdomain: row.subdomain,
    name: row.name,
    date: row.date,
    kind: row.kind,
    size: row.size,
    retention: row.retention,
    producer: row.producer,
    labels: row.labels,
    parents: row.parents.map(formatArtifactId),
    addedAt: row.addedAt,
  };
}
