import type { AppendItem } from "../log-store.js";
import type { PgQueryable } from "./driver.js";
import { blobRows, blobValues, entryRows } from "./pg-append.js";
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

/** Before the lock: each item's entry and contents row, keyed by its position in the batch (k). */
export async function stageBatch(q: PgQueryable, items: readonly AppendItem[]): Promise<void> {
  await insertValuesTogether(q, [
    { head: "INSERT INTO stage_entries (k, leaf_hash, body)", rows: entryRows(0, items) },
    { head: "INSERT INTO stage_blobs (k, digest, size, data)", rows: blobValues(blobRows(0, items)) },
  ]);
}
