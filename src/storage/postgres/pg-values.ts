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
    const tuples = part.map(
      (_, r) => `(${Array.from({ length: width }, (_, c) => `$${r * width + c + 1}`).join(",")})`,
    );
    await q.query(`${head} VALUES ${tuples.join(",")} ${tail}`, part.flat());
  }
}
