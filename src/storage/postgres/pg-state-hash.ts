import { createHash } from "node:crypto";
import type { PgQueryable } from "./driver.js";

const PAGE = 10_000;

/**
 * The projection tables as the SQLite adapter lays them out: same columns in
 * the same order (dkey computed from the digest), rows in key order, so one
 * journal gives one state hash on either backend.
 */
const TABLES: readonly { name: string; columns: string; key: string; start: unknown }[] = [
  {
    name: "evidence",
    columns: `leaf_idx, digest, ('x' || encode(substring(digest from 1 for 6), 'hex'))::bit(48)::int8 AS dkey,
      domain, subdomain, kind, date, size, retention, meta_hash, tenant`,
    key: "leaf_idx",
    start: -1,
  },
  { name: "holds", columns: "evidence_leaf, reason, at, record_leaf", key: "evidence_leaf", start: -1 },
  {
    name: "evidence_state",
    columns: "evidence_leaf, state, reason, at, record_leaf",
    key: "evidence_leaf",
    start: -1,
  },
  {
    name: "tokens",
    columns: "id, secret_hash, name, role, tenant, created_at, expires_at, revoked_at, record_leaf",
    key: "id",
    start: "",
  },
];

/**
 * SHA-256 over every projection row, identical on every replay of the same
 * journal: per table its name, then each row's values as text (bytes as hex,
 * NULL as "null"), unit-separated, rows newline-separated.
 */
export async function pgStateHash(q: PgQueryable): Promise<string> {
  const h = createHash("sha256");
  for (const t of TABLES) {
    h.update(`${t.name}\n`);
    for (let after = t.start; ;) {
      const { rows } = await q.query(
        `SELECT ${t.columns} FROM ${t.name} WHERE ${t.key} > $1 ORDER BY ${t.key} LIMIT ${PAGE}`,
        [after],
      );
      for (const row of rows) {
        for (const v of Object.values(row))
          h.update(Buffer.isBuffer(v) ? v.toString("hex") : String(v)).update("\u001f");
        h.update("\n");
      }
      if (rows.length < PAGE) break;
      after = rows[rows.length - 1]?.[t.key];
    }
  }
  return h.digest("hex");
}
