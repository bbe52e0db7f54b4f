import type { PgQueryable } from "./driver.js";

/** PostgreSQL's limit on bind parameters in one statement. */
const MAX_PARAMS = 65_535;

/**
 * A multi-row INSERT … VALUES ($1, $2, …), (…): bytea values travel as
 * binary parameters (node-postgres sends a Buffer as binary), several times
 * cheaper for the server than hex-escaped array literals through unnest.
 * Rows are split only when a statement would exceed the parameter limit.
 */
export async function insertValues(
  q: PgQueryable,
  head: string,
  rows: readonly (readonly unknown[])[],
  tail = "",
): Promise<void> {
  const width = rows[0]?.length ?? 0;
  if (width === 0) return;
  const per = Math.floor(MAX_PARAMS / width);
  for (let i = 0; i < rows.length; i += per) {
    const part = rows.slice(i, i + per);
    await q.query(valuesSql({ head, rows: part, tail }, 0), part.flat());
  }
}

/** One multi-row INSERT of `insertValuesTogether`: distinct tables, or at least distinct rows. */
export interface ValuesInsert {
  readonly head: string;
  readonly rows: readonly (readonly unknown[])[];
  readonly tail?: string;
}

/** `head VALUES (…), (…) tail` with placeholders numbered from $from+1. */
function valuesSql(ins: ValuesInsert, from: number): string {
  const width = ins.rows[0]?.length ?? 0;
  const tuples = ins.rows.map(
    (_, r) => `(${Array.from({ length: width }, (_, c) => `$${from + r * width + c + 1}`).join(",")})`,
  );
  return `${ins.head} VALUES ${tuples.join(",")} ${ins.tail ?? ""}`;
}

/**
 * Several multi-row INSERTs as one statement (all but the last as
 * data-modifying WITH queries): one round trip instead of one each, which
 * is most of a small append's time. PostgreSQL runs the parts in an
 * unspecified order against one snapshot, so no two parts may touch the
 * same row. Past the parameter limit each part is its own statement.
 */
export async function insertValuesTogether(q: PgQueryable, inserts: readonly ValuesInsert[]): Promise<void> {
  const live = inserts.filter((i) => i.rows.length > 0);
  const params = live.reduce((n, i) => n + i.rows.length * (i.rows[0]?.length ?? 0), 0);
  if (live.length <= 1 || params > MAX_PARAMS) {
    for (const i of live) await insertValues(q, i.head, i.rows, i.tail);
    return;
  }
  let from = 0;
  const parts = live.map((i) => {
    const sql = valuesSql(i, from);
    from += i.rows.length * (i.rows[0]?.length ?? 0);
    return sql;
  });
  const main = parts.pop() as string;
  const ctes = parts.map((sql, k) => `w${k} AS (${sql})`).join(", ");
  await q.query(
    `WITH ${ctes} ${main}`,
    live.flatMap((i) => i.rows.flat()),
  );
}
