import type { StoredNode } from "../../journal/index.js";
import type { IndexOp } from "../index-ops.js";
import type { AppendItem, Projector } from "../log-store.js";
import { nodeKey } from "../node-key.js";
import type { PgQueryable } from "./driver.js";
import { applyIndexOps, indexPosition } from "./pg-index-writer.js";
import { insertValuesTogether } from "./pg-values.js";

/** A contents row as the batch leaves it: written (inline bytes or a chunked-file reference) or removed. */
type BlobRow = { digest: Buffer; size: number; data: Buffer | null } | null;

/**
 * Writes one batch inside the append transaction: entries, completed nodes,
 * contents rows and the index position in one statement when they fit
 * (pg-values.ts), then the projection rows (applyIndexOps: in order). A
 * staged batch's entries and contents rows are copied from the staging
 * tables instead.
 */
export async function writeBatch(
  q: PgQueryable,
  first: number,
  items: readonly AppendItem[],
  nodes: readonly StoredNode[],
  project: Projector,
  staged = false,
): Promise<void> {
  // Staged (pg-stage.ts): the entries and contents rows are in the temporary tables already.
  if (staged) await moveStaged(q, first);
  const blobs = staged ? new Map<number, BlobRow>() : blobRows(first, items);
  const drop = [...blobs].filter(([, r]) => r === null).map(([id]) => id);
  if (drop.length > 0) await q.query("DELETE FROM blobs WHERE id = ANY($1::int8[])", [drop]);
  await insertValuesTogether(q, [
    { head: "INSERT INTO entries (idx, leaf_hash, body)", rows: staged ? [] : entryRows(first, items) },
    { head: "INSERT INTO nodes (id, hash)", rows: nodes.map((n) => [nodeKey(n.level, n.index), n.hash]) },
    {
      head: "INSERT INTO blobs (id, digest, size, data)",
      rows: blobValues(blobs),
      tail: "ON CONFLICT (id) DO UPDATE SET digest = excluded.digest, size = excluded.size, data = excluded.data",
    },
    indexPosition(first + items.length),
  ]);
  const ops: IndexOp[] = [];
  items.forEach((item, k) => {
    const index = first + k;
    ops.push(...(item.ops?.(index) ?? project(item.record, index, item.encoded.bytes)));
  });
  await applyIndexOps(q, ops);
}

/** Under the lock: a staged batch's rows (pg-stage.ts) at their leaf indices first + k. */
function moveStaged(q: PgQueryable, first: number): Promise<unknown> {
  return q.query(
    `WITH w0 AS (INSERT INTO entries (idx, leaf_hash, body) SELECT $1 + k, leaf_hash, body FROM stage_entries)
     INSERT INTO blobs (id, digest, size, data) SELECT $1 + k, digest, size, data FROM stage_blobs`,
    [first],
  );
}

/** The batch's entries (index, leaf hash, bytes), numbered from `first` (0 when staged). */
export function entryRows(first: number, items: readonly AppendItem[]): unknown[][] {
  return items.map((item, k) => [first + k, item.encoded.leafHash, item.encoded.bytes]);
}

/**
 * The batch's net effect on contents rows, in item order (a later item wins):
 * a recovery re-stores an artifact's row under its original id, an expiry
 * removes one. Own rows are numbered from `first` (0 when staged).
 */
export function blobRows(first: number, items: readonly AppendItem[]): Map<number, BlobRow> {
  const rows = new Map<number, BlobRow>();
  items.forEach((item, k) => {
    const id = item.blobId ?? first + k;
    if (item.inline)
      rows.set(id, { digest: item.inline.digest, size: item.inline.data.length, data: item.inline.data });
    if (item.file) rows.set(id, { digest: item.file.digest, size: item.file.size, data: null });
    if (item.dropContents !== undefined) rows.set(item.dropContents, null);
  });
  return rows;
}

/** The contents rows written (id, digest, size, data); removals are a DELETE before: no row is in both. */
export function blobValues(rows: Map<number, BlobRow>): unknown[][] {
  const put = [...rows].filter((e): e is [number, NonNullable<BlobRow>] => e[1] !== null);
  return put.map(([id, r]) => [id, r.digest, r.size, r.data]);
}
