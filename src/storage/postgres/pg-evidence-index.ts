import {
  tenantDigestKey,
  type ArtifactLifecycle,
  type ArtifactRetrieval,
  type EvidenceFilter,
  type EvidenceIdentity,
  type EvidenceIndex,
  type EvidenceStats,
  type RetentionCandidate,
  type TenantDigest,
} from "../evidence-index.js";
import { evidenceFromRecord } from "../evidence-from-record.js";
import type { ArtifactState, EvidenceRow, LifecycleFact } from "../index-ops.js";
import { col, type PgDatabase, type Row } from "./pg-database.js";

const SELECT = "SELECT e.leaf_idx, e.meta_hash, j.body FROM evidence e JOIN entries j ON j.idx = e.leaf_idx";
/** Keys per identities() round trip: bounded so one statement never carries an unbounded array. */
const KEYS_PER_QUERY = 5000;

/** Evidence queries on PostgreSQL: rows keyed by (digest, tenant); metadata from the journal record. */
export class PgEvidenceIndex implements EvidenceIndex {
  constructor(private readonly db: PgDatabase) {}

  async get(digest: Buffer, tenant: string): Promise<EvidenceRow | null> {
    const r = await this.db.one("read evidence", `${SELECT} WHERE e.digest = $1 AND e.tenant = $2`, [
      digest,
      tenant,
    ]);
    return r === undefined ? null : toEvidence(r);
  }

  async identity(digest: Buffer, tenant: string): Promise<EvidenceIdentity | null> {
    return (await this.identities([{ tenant, digest }])).get(tenantDigestKey(tenant, digest)) ?? null;
  }

  async identities(keys: readonly TenantDigest[]): Promise<Map<string, EvidenceIdentity>> {
    const out = new Map<string, EvidenceIdentity>();
    for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
      const part = keys.slice(i, i + KEYS_PER_QUERY);
      const rows = await this.db.rows(
        "read evidence identities",
        `SELECT e.tenant, e.digest, e.leaf_idx, e.meta_hash FROM unnest($1::bytea[], $2::text[]) AS k(digest, tenant)
         JOIN evidence e ON e.digest = k.digest AND e.tenant = k.tenant`,
        [part.map((k) => k.digest), part.map((k) => k.tenant)],
      );
      for (const r of rows)
        out.set(tenantDigestKey(col.str(r, "tenant"), col.buf(r, "digest")), {
          leafIndex: col.num(r, "leaf_idx"),
          metaHash: col.buf(r, "meta_hash"),
        });
    }
    return out;
  }

  async retrieval(digest: Buffer, tenant: string): Promise<ArtifactRetrieval | null> {
    const r = await this.db.one(
      "read artifact contents",
      `SELECT e.leaf_idx, s.state, s.reason, s.at, s.record_leaf, b.data FROM evidence e
       LEFT JOIN evidence_state s ON s.evidence_leaf = e.leaf_idx
       LEFT JOIN blobs b ON b.id = e.leaf_idx AND b.digest = e.digest
       WHERE e.digest = $1 AND e.tenant = $2`,
      [digest, tenant],
    );
    if (r === undefined) return null;
    const leafIndex = col.num(r, "leaf_idx");
    const state =
      r.state === null
        ? null
        : { state: col.str(r, "state") as ArtifactState, fact: lifecycleFact(r, leafIndex) };
    return { leafIndex, state, inline: (r.data as Buffer | null) ?? null };
  }

  async list(f: EvidenceFilter): Promise<EvidenceRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, ...v: unknown[]): void => {
      params.push(...v);
      where.push(sql(`$${params.length - v.length + 1}`));
    };
    if (f.tenant !== undefined) add((p) => `e.tenant = ${p}`, f.tenant);
    if (f.domain !== undefined) add((p) => `e.domain = ${p}`, f.domain);
    if (f.subdomain !== undefined) add((p) => `e.subdomain = ${p}`, f.subdomain);
    if (f.kind !== undefined) add((p) => `e.kind = ${p}`, f.kind);
    if (f.from !== undefined) add((p) => `e.date >= ${p}`, f.from);
    if (f.to !== undefined) add((p) => `e.date <= ${p}`, f.to);
    for (const [k, v] of Object.entries(f.labels ?? {}))
      add((p) => `convert_from(j.body, 'UTF8')::jsonb -> 'labels' ->> ${p} = $${params.length}`, k, v);
    const order = f.orderBy === "size" ? "e.size DESC, e.leaf_idx" : "e.leaf_idx";
    params.push(f.limit ?? null);
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT $${params.length}`;
    return (await this.db.rows("list evidence", sql, params)).map(toEvidence);
  }

  async stats(tenant?: string): Promise<EvidenceStats> {
    const where = tenant === undefined ? "" : "WHERE tenant = $1";
    const args = tenant === undefined ? [] : [tenant];
    const total = await this.db.one(
      "evidence stats",
      `SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM evidence ${where}`,
      args,
    );
    const byKind = await this.db.rows(
      "evidence stats",
      `SELECT kind, count(*) AS artifacts, sum(size) AS bytes FROM evidence ${where} GROUP BY kind ORDER BY kind`,
      args,
    );
    return {
      artifacts: col.num(total, "n"),
      bytes: col.num(total, "b"),
      byKind: byKind.map((r) => ({
        kind: col.str(r, "kind"),
        artifacts: col.num(r, "artifacts"),
        bytes: col.num(r, "bytes"),
      })),
    };
  }

  async lifecycle(leafIndex: number): Promise<ArtifactLifecycle> {
    const rows = await this.db.rows(
      "read artifact lifecycle",
      `SELECT 'hold' AS kind, NULL AS state, reason, at, record_leaf FROM holds WHERE evidence_leaf = $1
       UNION ALL SELECT 'state', state, reason, at, record_leaf FROM evidence_state WHERE evidence_leaf = $1`,
      [leafIndex],
    );
    const fact = (r: Row): LifecycleFact => lifecycleFact(r, leafIndex);
    const h = rows.find((r) => r.kind === "hold");
    const st = rows.find((r) => r.kind === "state");
    return {
      hold: h ? fact(h) : null,
      state: st ? { state: col.str(st, "state") as ArtifactState, fact: fact(st) } : null,
    };
  }

  async retentionCandidates(retention: string, before: string, limit: number): Promise<RetentionCandidate[]> {
    const rows = await this.db.rows(
      "read retention candidates",
      `SELECT e.digest, e.leaf_idx, e.retention, e.date, e.size FROM evidence e
       LEFT JOIN holds h ON h.evidence_leaf = e.leaf_idx
       LEFT JOIN evidence_state s ON s.evidence_leaf = e.leaf_idx
       WHERE e.retention = $1 AND e.date < $2 AND h.evidence_leaf IS NULL
         AND (s.state IS NULL OR s.state != 'expired')
       ORDER BY e.date, e.leaf_idx LIMIT $3`,
      [retention, before, limit],
    );
    return rows.map((r) => ({
      digest: col.buf(r, "digest"),
      leafIndex: col.num(r, "leaf_idx"),
      retention: col.str(r, "retention"),
      date: col.str(r, "date"),
      size: col.num(r, "size"),
    }));
  }

  async position(): Promise<number> {
    const r = await this.db.one("read index position", "SELECT value FROM meta WHERE key = 'index_position'");
    return r === undefined ? 0 : Number(r.value);
  }
}

function lifecycleFact(r: Row, evidenceLeaf: number): LifecycleFact {
  return {
    evidenceLeaf,
    reason: col.str(r, "reason"),
    at: col.str(r, "at"),
    recordLeaf: col.num(r, "record_leaf"),
  };
}

function toEvidence(r: Row): EvidenceRow {
  return evidenceFromRecord(col.buf(r, "body"), col.num(r, "leaf_idx"), col.buf(r, "meta_hash"));
}
