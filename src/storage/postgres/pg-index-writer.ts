import type { IndexOp } from "../index-ops.js";
import type { PgQueryable } from "./driver.js";
import { insertValues, type ValuesInsert } from "./pg-values.js";

type Op<K extends IndexOp["op"]> = Extract<IndexOp, { op: K }>;

/** How one kind of op is written: a statement over arrays, one element per op. */
interface Writer {
  readonly sql: string;
  readonly columns: (op: IndexOp) => readonly unknown[];
  /** Ops of this kind may share one statement (no two touch the same row). */
  readonly batch: boolean;
}

const fact = (o: Op<"hold.put"> | Op<"state.put">) => [
  o.fact.evidenceLeaf,
  o.fact.reason,
  o.fact.at,
  o.fact.recordLeaf,
];

const WRITERS: { readonly [K in IndexOp["op"]]: Writer } = {
  "evidence.put": {
    sql: `INSERT INTO evidence (leaf_idx, digest, tenant, domain, subdomain, kind, date, size, retention, meta_hash)
      SELECT * FROM unnest($1::int8[], $2::bytea[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
        $8::int8[], $9::text[], $10::bytea[])`,
    columns: (o) => {
      const r = (o as Op<"evidence.put">).row;
      return [
        r.leafIndex,
        r.digest,
        r.tenant,
        r.domain,
        r.subdomain,
        r.kind,
        r.date,
        r.size,
        r.retention,
        r.metaHash,
      ];
    },
    batch: true,
  },
  "hold.put": {
    sql: `INSERT INTO holds (evidence_leaf, reason, at, record_leaf) SELECT * FROM unnest($1::int8[], $2::text[],
      $3::text[], $4::int8[]) ON CONFLICT (evidence_leaf) DO UPDATE SET reason = excluded.reason, at = excluded.at,
      record_leaf = excluded.record_leaf`,
    columns: (o) => fact(o as Op<"hold.put">),
    batch: false,
  },
  "hold.delete": {
    sql: "DELETE FROM holds WHERE evidence_leaf = ANY($1::int8[])",
    columns: (o) => [(o as Op<"hold.delete">).evidenceLeaf],
    batch: true,
  },
  "state.put": {
    sql: `INSERT INTO evidence_state (evidence_leaf, reason, at, record_leaf, state) SELECT * FROM unnest($1::int8[],
      $2::text[], $3::text[], $4::int8[], $5::text[]) ON CONFLICT (evidence_leaf) DO UPDATE SET state = excluded.state,
      reason = excluded.reason, at = excluded.at, record_leaf = excluded.record_leaf`,
    columns: (o) => [...fact(o as Op<"state.put">), (o as Op<"state.put">).state],
    batch: false,
  },
  "state.delete": {
    sql: "DELETE FROM evidence_state WHERE evidence_leaf = ANY($1::int8[])",
    columns: (o) => [(o as Op<"state.delete">).evidenceLeaf],
    batch: true,
  },
  "token.put": {
    sql: `INSERT INTO tokens (id, secret_hash, name, role, tenant, created_at, expires_at, record_leaf)
      SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int8[])`,
    columns: (o) => {
      const t = (o as Op<"token.put">).token;
      return [t.id, t.secretHash, t.name, t.role, t.tenant, t.createdAt, t.expiresAt, t.recordLeaf];
    },
    batch: true,
  },
  "token.revoke": {
    sql: `UPDATE tokens t SET revoked_at = r.at FROM unnest($1::text[], $2::text[]) AS r(id, at)
      WHERE t.id = r.id AND t.revoked_at IS NULL`,
    columns: (o) => [(o as Op<"token.revoke">).id, (o as Op<"token.revoke">).at],
    batch: false,
  },
};

/**
 * Applies projection writes in order, as few statements as order allows: a
 * run of consecutive ops of one kind is one multi-row statement (a batch of
 * evidence.put is one INSERT), except kinds where two ops may hit one row.
 */
export async function applyIndexOps(q: PgQueryable, ops: readonly IndexOp[]): Promise<void> {
  for (let i = 0; i < ops.length;) {
    const kind = (ops[i] as IndexOp).op;
    const w = WRITERS[kind];
    let j = i + 1;
    if (w.batch) while (j < ops.length && (ops[j] as IndexOp).op === kind) j++;
    await q.query(w.sql, transpose(ops.slice(i, j).map(w.columns)));
    i = j;
  }
}

/** Rows of values to one array per column (the unnest parameters). */
function transpose(rows: readonly (readonly unknown[])[]): unknown[][] {
  const width = rows[0]?.length ?? 0;
  return Array.from({ length: width }, (_, c) => rows.map((r) => r[c]));
}

/** The write that records how many journal entries the index reflects (part of an append's one statement). */
export function indexPosition(size: number): ValuesInsert {
  return {
    head: "INSERT INTO meta (key, value)",
    rows: [["index_position", String(size)]],
    tail: "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
  };
}

/** Records how many journal entries the index reflects. */
export async function setIndexPosition(q: PgQueryable, size: number): Promise<void> {
  const w = indexPosition(size);
  await insertValues(q, w.head, w.rows, w.tail);
}
