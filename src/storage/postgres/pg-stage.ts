import type { AppendItem } from "../log-store.js";
import type { PgQueryable, PgResult } from "./driver.js";
import { insertValuesTogether } from "./pg-values.js";

/**
 * A batch at least this large writes its entries and its own contents rows
 * to temporary tables before the append lock, by their position in the
 * batch, and copies them in under the lock (INSERT … SELECT first + k): the
 * parse and bind of thousands of parameters, most of a large batch's time,
 * then overlaps with other writers' turns. Smaller batches (a receipt, a
 * single upload) write directly: staging would only add a round trip.
 */
export const STAGE_MIN_ITEMS = 64;

/** Per-connection tables, emptied at every commit; created on first use in each session. */
export const STAGE_TABLES = [
  "CREATE TEMP TABLE IF NOT EXISTS stage_entries (k int4 NOT NULL, leaf_hash bytea NOT NULL, body bytea NOT NULL) ON COMMIT DELETE ROWS",
  "CREATE TEMP TABLE IF NOT EXISTS stage_blobs (k int4 NOT NULL, digest bytea NOT NULL, size int8 NOT NULL, data bytea) ON COMMIT DELETE ROWS",
] as const;

/**
 * Whether `items` go through staging: large enough, and only additions (no
 * item re-stores or removes a contents row under another leaf, whose order
 * against the batch's own rows writeBatch keeps).
 */
export function stageable(items: readonly AppendItem[]): boolean {
  return (
    items.length >= STAGE_MIN_ITEMS &&
    items.every((i) => i.blobId === undefined && i.dropContents === undefined)
  );
}

/** Before the lock: each item's entry and contents row, keyed by its position in the batch. */
export async function stageBatch(q: PgQueryable, items: readonly AppendItem[]): Promise<void> {
  const blobs: unknown[][] = [];
  items.forEach((item, k) => {
    if (item.inline) blobs.push([k, item.inline.digest, item.inline.data.length, item.inline.data]);
    else if (item.file) blobs.push([k, item.file.digest, item.file.size, null]);
  });
  await insertValuesTogether(q, [
    {
      head: "INSERT INTO stage_entries (k, leaf_hash, body)",
      rows: items.map((item, k) => [k, item.encoded.leafHash, item.encoded.bytes]),
    },
    { head: "INSERT INTO stage_blobs (k, digest, size, data)", rows: blobs },
  ]);
}

/** Under the lock: the staged rows at their leaf indices first + k. */
export function moveStaged(q: PgQueryable, first: number): Promise<PgResult> {
  return q.query(
    `WITH w0 AS (INSERT INTO entries (idx, leaf_hash, body) SELECT $1 + k, leaf_hash, body FROM stage_entries)
     INSERT INTO blobs (id, digest, size, data) SELECT $1 + k, digest, size, data FROM stage_blobs`,
    [first],
  );
}
