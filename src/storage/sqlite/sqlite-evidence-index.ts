import {
  tenantDigestKey,
  type TenantDigest,
  type ArtifactLifecycle,
  type ArtifactRetrieval,
  type EvidenceFilter,
  type EvidenceIdentity,
  type EvidenceIndex,
  type EvidenceStats,
  type RetentionCandidate,
} from "../evidence-index.js";
import type { ArtifactState, EvidenceRow, LifecycleFact } from "../index-ops.js";

interface FactRow {
  reason: string;
  at: string;
  record_leaf: number;
}
import type { SqliteDatabase, SqliteStatement } from "./driver.js";
import { digestKey } from "./schema.js";
import { evidenceFromRecord } from "../evidence-from-record.js";
import { RetrievalCache } from "./retrieval-cache.js";

interface Row {
  leaf_idx: number;
  meta_hash: Buffer;
  body: Buffer;
}

interface RetrievalRow {
  leaf_idx: number;
  state: ArtifactState | null;
  reason: string | null;
  at: string | null;
  record_leaf: number | null;
  data: Buffer | null;
}

const IN_CHUNK = 500;

// The artifact, its state and its inline contents (the blob row its record committed to) in one read.
const RETRIEVAL = `SELECT e.leaf_idx, s.state, s.reason, s.at, s.record_leaf, b.data FROM evidence e
  LEFT JOIN evidence_state s ON s.evidence_leaf = e.leaf_idx
  LEFT JOIN blobs b ON b.id = e.leaf_idx AND b.digest = e.digest
  WHERE e.dkey = ? AND e.digest = ? AND e.tenant = ?`;

function identitiesSql(n: number): string {
  return `SELECT tenant, digest, leaf_idx, meta_hash FROM evidence WHERE dkey IN (${new Array(n).fill("?").join(",")})`;
}

const SELECT = "SELECT e.leaf_idx, e.meta_hash, j.body FROM evidence e JOIN entries j ON j.idx = e.leaf_idx";

/** Evidence queries: the index narrows, the journal record supplies the metadata. */
export class SqliteEvidenceIndex implements EvidenceIndex {
  private readonly getStmt: SqliteStatement;
  private readonly posStmt: SqliteStatement;
  private readonly identityStmt: SqliteStatement;
  private readonly identitiesStmts = new Map<number, SqliteStatement>();
  private readonly holdStmt: SqliteStatement;
  private readonly stateStmt: SqliteStatement;
  private readonly retrievalStmt: SqliteStatement;
  private readonly cache: RetrievalCache | null;

  /** With cacheRetrievals (the server), answers of retrieval are kept in memory (RetrievalCache). */
  constructor(
    private readonly db: SqliteDatabase,
    options: { readonly cacheRetrievals?: boolean } = {},
  ) {
    this.getStmt = db.prepare(`${SELECT} WHERE e.dkey = ? AND e.digest = ? AND e.tenant = ?`);
    this.identityStmt = db.prepare(
      "SELECT leaf_idx, meta_hash FROM evidence WHERE dkey = ? AND digest = ? AND tenant = ?",
    );
    // Prepared once: every GET of contents asks for the lifecycle state.
    this.holdStmt = db.prepare("SELECT reason, at, record_leaf FROM holds WHERE evidence_leaf = ?");
    this.stateStmt = db.prepare(
      "SELECT state, reason, at, record_leaf FROM evidence_state WHERE evidence_leaf = ?",
    );
    this.retrievalStmt = db.prepare(RETRIEVAL);
    this.posStmt = db.prepare("SELECT value FROM meta WHERE key = 'index_position'").pluck();
    this.cache = options.cacheRetrievals === true ? new RetrievalCache(db) : null;
  }

  get(digest: Buffer, tenant: string): Promise<EvidenceRow | null> {
    const row = this.getStmt.get(digestKey(digest), digest, tenant) as Row | undefined;
    return Promise.resolve(row ? toEvidence(row) : null);
  }

  /** Only the idempotency fields: avoids parsing the record on the ingest path. */
  identities(keys: readonly TenantDigest[]): Promise<Map<string, EvidenceIdentity>> {
    const out = new Map<string, EvidenceIdentity>();
    const wanted = new Set(keys.map((k) => tenantDigestKey(k.tenant, k.digest)));
    for (let i = 0; i < keys.length; i += IN_CHUNK) {
      const part = keys.slice(i, i + IN_CHUNK);
      const stmt = this.identitiesOf(part.length);
      for (const r of stmt.all(...part.map((k) => digestKey(k.digest))) as {
        tenant: string;
        digest: Buffer;
        leaf_idx: number;
        meta_hash: Buffer;
      }[]) {
        // dkey matches other tenants' artifacts (and prefix collisions) too: keep only what was asked.
        const key = tenantDigestKey(r.tenant, r.digest);
        if (wanted.has(key)) out.set(key, { leafIndex: r.leaf_idx, metaHash: r.meta_hash });
      }
    }
    return Promise.resolve(out);
  }

  /** The IN (…) lookup for n keys, prepared once per n (groups of uploads come in every size up to IN_CHUNK). */
  private identitiesOf(n: number): SqliteStatement {
    let stmt = this.identitiesStmts.get(n);
    if (stmt === undefined) this.identitiesStmts.set(n, (stmt = this.db.prepare(identitiesSql(n))));
    return stmt;
  }

  identity(digest: Buffer, tenant: string): Promise<EvidenceIdentity | null> {
    const row = this.identityStmt.get(digestKey(digest), digest, tenant) as
      { leaf_idx: number; meta_hash: Buffer } | undefined;
    return Promise.resolve(row ? { leafIndex: row.leaf_idx, metaHash: row.meta_hash } : null);
  }

  retrieval(digest: Buffer, tenant: string): Promise<ArtifactRetrieval | null> {
    if (this.cache === null) return Promise.resolve(this.retrieve(digest, tenant));
    const key = tenantDigestKey(tenant, digest);
    const hit = this.cache.get(key);
    if (hit !== undefined) return Promise.resolve(hit);
    const r = this.retrieve(digest, tenant);
    if (r !== null) this.cache.set(key, r);
    return Promise.resolve(r);
  }

  private retrieve(digest: Buffer, tenant: string): ArtifactRetrieval | null {
    const r = this.retrievalStmt.get(digestKey(digest), digest, tenant) as RetrievalRow | undefined;
    if (r === undefined) return null;
    const state = r.state === null ? null : { state: r.state, fact: toFact(r as FactRow, r.leaf_idx) };
    return { leafIndex: r.leaf_idx, state, inline: r.data };
  }

  list(f: EvidenceFilter): Promise<EvidenceRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown): void => {
      where.push(sql);
      params.push(v);
    };
    if (f.tenant !== undefined) add("e.tenant = ?", f.tenant);
    if (f.domain !== undefined) add("e.domain = ?", f.domain);
    if (f.subdomain !== undefined) add("e.subdomain = ?", f.subdomain);
    if (f.kind !== undefined) add("e.kind = ?", f.kind);
    if (f.from !== undefined) add("e.date >= ?", f.from);
    if (f.to !== undefined) add("e.date <= ?", f.to);
    for (const [k, v] of Object.entries(f.labels ?? {})) {
      where.push("json_extract(CAST(j.body AS TEXT), ?) = ?");
      params.push(`$.labels."${k.replaceAll('"', "")}"`, v);
    }
    const order = f.orderBy === "size" ? "e.size DESC, e.leaf_idx" : "e.leaf_idx";
    const sql = `${SELECT} ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY ${order} LIMIT ?`;
    params.push(f.limit ?? -1);
    return Promise.resolve((this.db.prepare(sql).all(...params) as Row[]).map(toEvidence));
  }

  stats(tenant?: string): Promise<EvidenceStats> {
    const where = tenant === undefined ? "" : "WHERE tenant = ?";
    const args = tenant === undefined ? [] : [tenant];
    const total = this.db
      .prepare(`SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM evidence ${where}`)
      .get(...args) as { n: number; b: number };
    const byKind = this.db
      .prepare(
        `SELECT kind, count(*) AS artifacts, sum(size) AS bytes FROM evidence ${where} GROUP BY kind ORDER BY kind`,
      )
      .all(...args) as { kind: string; artifacts: number; bytes: number }[];
    return Promise.resolve({ artifacts: total.n, bytes: total.b, byKind });
  }

  lifecycle(leafIndex: number): Promise<ArtifactLifecycle> {
    const h = this.holdStmt.get(leafIndex) as FactRow | undefined;
    const st = this.stateStmt.get(leafIndex) as (FactRow & { state: ArtifactState }) | undefined;
    const fact = (r: FactRow) => toFact(r, leafIndex);
    return Promise.resolve({
      hold: h ? fact(h) : null,
      state: st ? { state: st.state, fact: fact(st) } : null,
    });
  }

  retentionCandidates(retention: string, before: string, limit: number): Promise<RetentionCandidate[]> {
    const rows = this.db
      .prepare(
        `SELECT e.digest, e.leaf_idx, e.retention, e.date, e.size FROM evidence e
         LEFT JOIN holds h ON h.evidence_leaf = e.leaf_idx
         LEFT JOIN evidence_state s ON s.evidence_leaf = e.leaf_idx
         WHERE e.retention = ? AND e.date < ? AND h.evidence_leaf IS NULL AND (s.state IS NULL OR s.state != 'expired')
         ORDER BY e.date, e.leaf_idx LIMIT ?`,
      )
      .all(retention, before, limit) as {
      digest: Buffer;
      leaf_idx: number;
      retention: string;
      date: string;
      size: number;
    }[];
    return Promise.resolve(
      rows.map((r) => ({
        digest: r.digest,
        leafIndex: r.leaf_idx,
        retention: r.retention,
        date: r.date,
        size: r.size,
      })),
    );
  }

  position(): Promise<number> {
    const v = this.posStmt.get() as string | undefined;
    return Promise.resolve(v === undefined ? 0 : Number(v));
  }
}

function toEvidence(r: Row): EvidenceRow {
  return evidenceFromRecord(r.body, r.leaf_idx, r.meta_hash);
}

function toFact(r: FactRow, evidenceLeaf: number): LifecycleFact {
  return { evidenceLeaf, reason: r.reason, at: r.at, recordLeaf: r.record_leaf };
}
