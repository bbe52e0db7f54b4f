import { DEFAULT_TENANT, type EvidenceRow } from "./index-ops.js";

/** The fields of an evidence.added record that make up a row (parsed once, at the boundary). */
interface RecordFields {
  tenant?: string;
  digest: string;
  domain: string;
  subdomain: string;
  name: string;
  date: string;
  kind: string;
  retention: string;
  producer: string | null;
  size: number;
  path: string;
  labels: Record<string, string>;
  parents: string[];
  addedAt: string;
}

/**
 * An evidence row from its journal record: the index narrows a query, the
 * record supplies the metadata (every adapter reads rows this way).
 */
export function evidenceFromRecord(body: Buffer, leafIndex: number, metaHash: Buffer): EvidenceRow {
  const f = JSON.parse(body.toString("utf8")) as RecordFields;
  return {
    digest: Buffer.from(f.digest.slice(7), "hex"),
    tenant: f.tenant ?? DEFAULT_TENANT,
    leafIndex,
    domain: f.domain,
    subdomain: f.subdomain,
    name: f.name,
    date: f.date,
    kind: f.kind,
    retention: f.retention,
    producer: f.producer,
    size: f.size,
    path: f.path,
    labels: f.labels,
    parents: f.parents.map((p) => Buffer.from(p.slice(7), "hex")),
    addedAt: f.addedAt,
    metaHash,
  };
}
