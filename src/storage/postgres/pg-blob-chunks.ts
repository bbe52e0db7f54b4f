import { createHash } from "node:crypto";
import { Readable } from "node:stream";
import { removedAsLeftover, type StagedFile } from "../blob-store.js";
import { col, type PgDatabase } from "./pg-database.js";
import { LEFTOVERS_LOCK } from "./pg-schema.js";

/** Rows of large contents: 1 MiB each, so neither side ever holds a whole blob. */
export const CHUNK_BYTES = 1 << 20;

/**
 * Streams `source` into chunk rows of a new staging run while hashing it.
 * Each chunk commits on its own (nothing is visible under a digest yet); the
 * run becomes the digest's contents only in commit().
 */
export async function stageChunks(
  db: PgDatabase,
  source: AsyncIterable<Buffer | string>,
  prefix: readonly Buffer[],
): Promise<StagedFile> {
  const stage = col.num(await db.one("stage contents", "SELECT nextval('blob_stage_seq') AS s"), "s");
  const hash = createHash("sha256");
  let size = 0;
  let seq = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const flush = async (): Promise<void> => {
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await db.rows("stage contents", "INSERT INTO blob_chunks (stage, seq, data) VALUES ($1, $2, $3)", [
      stage,
      seq++,
      data,
    ]);
  };
  try {
    for await (const part of concat(prefix, source)) {
      hash.update(part);
      size += part.length;
      for (let off = 0; off < part.length;) {
        const take = part.subarray(off, off + CHUNK_BYTES - pendingBytes);
        pending.push(take);
        pendingBytes += take.length;
        off += take.length;
        if (pendingBytes === CHUNK_BYTES) await flush();
      }
    }
    if (pendingBytes > 0) await flush();
  } catch (e) {
    await discardRun(db, stage).catch(() => undefined);
    throw e;
  }
  return stagedRun(db, stage, hash.digest(), size, seq);
}

async function* concat(
  prefix: readonly Buffer[],
  source: AsyncIterable<Buffer | string>,
): AsyncIterable<Buffer> {
  yield* prefix;
  for await (const p of source) yield typeof p === "string" ? Buffer.from(p) : p;
}

function stagedRun(db: PgDatabase, stage: number, digest: Buffer, size: number, chunks: number): StagedFile {
  return {
    digest,
    size,
    // The first run committed for a digest holds it; any later run of the same bytes is dropped,
    // and renews the holder's commit time, so a cleanup spares it until the new record is in.
    // Under the shared leftovers lock, and only with every chunk still there: a run that
    // removeLeftovers took (it stalled past the cut-off) is refused, never committed incomplete.
    commit: () =>
      db.transaction(
        "commit staged contents",
        async (q, [, present]) => {
          if (col.num(present?.rows[0], "n") !== chunks) throw removedAsLeftover(digest);
          // A digest already held counts as committed now: its record is about to refer to it.
          await q.query(
            `INSERT INTO blob_files (digest, size, stage) VALUES ($1, $2, $3)
             ON CONFLICT (digest) DO UPDATE SET committed_at = now()`,
            [digest, size, stage],
          );
          await q.query(UNCLAIMED_DELETE, [stage]);
        },
        [
          `SELECT pg_advisory_xact_lock_shared(${LEFTOVERS_LOCK})`,
          `SELECT count(*) AS n FROM blob_chunks WHERE stage = ${stage}`,
        ],
      ),
    discard: () => discardRun(db, stage),
  };
}

/** Deletes a staging run's chunks unless the run holds a committed digest. */
const UNCLAIMED_DELETE =
  "DELETE FROM blob_chunks WHERE stage = $1 AND NOT EXISTS (SELECT 1 FROM blob_files WHERE stage = $1)";

async function discardRun(db: PgDatabase, stage: number): Promise<void> {
  await db.rows("discard staged contents", UNCLAIMED_DELETE, [stage]);
}

/** The chunks of one committed run, fetched one at a time as the reader pulls. */
export function readChunks(db: PgDatabase, stage: number): Readable {
  async function* chunks(): AsyncIterable<Buffer> {
    for (let seq = 0; ; seq++) {
      const r = await db.one("read contents", "SELECT data FROM blob_chunks WHERE stage = $1 AND seq = $2", [
        stage,
        seq,
      ]);
      if (r === undefined) return;
      yield col.buf(r, "data");
    }
  }
  return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 });
}

/**
 * The leftovers of interrupted writes last written before `before`, removed
 * in one transaction under the exclusive leftovers lock: staging runs no
 * digest holds (an upload that died mid-stream or before its commit), and
 * committed runs whose digest no contents row refers to (an upload that died
 * before its record, an expiry whose release never ran).
 */
export async function removeLeftoverChunks(db: PgDatabase, before: Date): Promise<string[]> {
  return db.transaction(
    "remove leftovers",
    async (q) => {
      const staged = await q.query(
        `WITH stale AS (
           SELECT c.stage FROM blob_chunks c WHERE NOT EXISTS (SELECT 1 FROM blob_files f WHERE f.stage = c.stage)
           GROUP BY c.stage HAVING max(c.staged_at) < $1),
         gone AS (DELETE FROM blob_chunks c USING stale s WHERE c.stage = s.stage RETURNING c.stage, length(c.data) AS n)
         SELECT stage, count(*) AS chunks, sum(n) AS bytes FROM gone GROUP BY stage ORDER BY stage`,
        [before],
      );
      const files = await q.query(
        `WITH gone AS (
           DELETE FROM blob_files f WHERE f.committed_at < $1
             AND NOT EXISTS (SELECT 1 FROM blobs b WHERE b.digest = f.digest AND b.data IS NULL)
           RETURNING f.digest, f.size, f.stage),
         chunks AS (DELETE FROM blob_chunks c USING gone g WHERE c.stage = g.stage RETURNING c.stage)
         SELECT digest, size, (SELECT count(*) FROM chunks c WHERE c.stage = g.stage) AS chunks
         FROM gone g ORDER BY digest`,
        [before],
      );
      return [
        ...staged.rows.map(
          (r) =>
            `staging run ${col.num(r, "stage")}: ${col.num(r, "chunks")} chunk rows, ${col.num(r, "bytes")} bytes`,
        ),
        ...files.rows.map(
          (r) =>
            `sha256:${col.buf(r, "digest").toString("hex")}: ${col.num(r, "size")} bytes no record refers to (${col.num(r, "chunks")} chunk rows)`,
        ),
      ];
    },
    [`SELECT pg_advisory_xact_lock(${LEFTOVERS_LOCK})`],
  );
}
