import type { EvidenceFilter, EvidenceIndex, EvidenceStats } from "../evidence-index.js";
import type { EvidenceRow } from "../index-ops.js";
import type { SqliteDatabase, SqliteStatement } from "./driver.js";

interface Row {
  digest: Buffer;
  leaf_idx: number;
  domain: string;
  subdomain: string;
  name: string;
  date: string;
  kind: string;
  retention: string;
  producer: string | null;
  size: number;
  path: string;
  labels: string;
  parents: string;
  added_at: string;
  meta_hash: Buffer;
}

const COLUMNS = `digest, leaf_idx, domain, subdomain, name, date, kind, retention, producer, size, path, labels,
  parents, added_at, meta_hash`;

export class SqliteEvidenceIndex implements EvidenceIndex {
  private readonly getStmt: SqliteStatement;
  private readonly posStmt: SqliteStatement;

  constructor(private readonly db: SqliteDatabase) {
    this.getStmt = db.prepare(`SELECT ${COLUMNS} FROM evidence WHERE digest = ?`);
    this.posStmt = db.prepare("SELECT value FROM meta WHERE key = 'index_position'").pluck();
  }

  get(digest: Buffer): Promise<EvidenceRow | null> {
    const row = this.getStmt.get(digest) as Row | undefined;
    return Promise.resolve(row ? toEvidence(row) : null);
  }

  list(f: EvidenceFilter): Promise<EvidenceRow[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: string, v: unknown): void => {
      where.push(sql);
      params.push(v);
    };
    if (f.domain !== undefined) add("domain = ?", f.domain);
    if (f.subdomain !== undefined) add("subdomain = ?", f.subdomain);
    if (f.kind !== undefined) add("kind = ?", f.kind);
    if (f.from !== undefined) add("date >= ?", f.from);
    if (f.to !== undefined) add("date <= ?", f.to);
    for (const [k, v] of Object.entries(f.labels ?? {})) {
      where.push("json_extract(labels, ?) = ?");
      params.push(`$."${k}"`, v);
    }
    const order = f.orderBy === "size" ? "size DESC, leaf_idx" : "leaf_idx";
    const sql = `SELECT ${COLUMNS} FROM evidence ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
      ORDER BY ${order} LIMIT ?`;
    params.push(f.limit ?? -1);
    return Promise.resolve((this.db.prepare(sql).all(...params) as Row[]).map(toEvidence));
  }

  stats(): Promise<EvidenceStats> {
    const total = this.db.prepare("SELECT count(*) AS n, coalesce(sum(size), 0) AS b FROM evidence").get() as {
      n: number;
      b: number;
    };
    const byKind = this.db
      .prepare("SELECT kind, count(*) AS artifacts, sum(size) AS bytes FROM evidence GROUP BY kind ORDER BY kind")
      .all() as { kind: string; artifacts: number; bytes: number }[];
    return Promise.resolve({ artifacts: total.n, bytes: total.b, byKind });
  }

  position(): Promise<number> {
    const v = this.posStmt.get() as string | undefined;
    return Promise.resolve(v === undefined ? 0 : Number(v));
  }
}

function toEvidence(r: Row): EvidenceRow {
  return {
    digest: r.digest,
    leafIndex: r.leaf_idx,
    domain: r.domain,
    subdomain: r.subdomain,
    name: r.name,
    date: r.date,
    kind: r.kind,
    retention: r.retention,
    producer: r.producer,
    size: r.size,
    path: r.path,
    labels: JSON.parse(r.labels) as Record<string, string>,
    parents: (JSON.parse(r.parents) as string[]).map((h) => Buffer.from(h, "hex")),
    addedAt: r.added_at,
    metaHash: r.meta_hash,
  };
}
