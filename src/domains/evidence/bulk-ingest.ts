import { Readable } from "node:stream";
import type { BlobStore } from "../../storage/blob-store.js";
import { fsError } from "../../errors.js";
import { evidenceAdded } from "./evidence-record.js";
import { commitEvidence, type AddOutcome, type Candidate, type EvidenceDeps } from "./evidence-service.js";
import { ingestFile, ingestStream } from "./ingest.js";
import type { EvidenceMeta } from "./metadata.js";
import { PreparePool } from "./prepare-pool.js";
import type { PrepareResult } from "./prepare-worker.js";

/** One artifact for bulk ingest: its bytes, or the path of a file to read. */
export interface BulkItem {
  readonly data?: Buffer;
  readonly path?: string;
  readonly meta: EvidenceMeta;
}

export interface BulkOptions {
  readonly blobs: BlobStore;
  readonly inlineLimit: number;
  /** Called after each durable group commit, with that group's outcomes. */
  readonly onCommitted: (outcomes: readonly AddOutcome[]) => void;
}

/**
 * Bulk ingest on two cores: a worker reads, hashes and encodes group k+1
 * while this thread classifies and commits group k (one transaction each).
 * Nothing is acknowledged before its group's commit returned.
 */
export async function bulkIngest(
  deps: EvidenceDeps,
  groups: Iterable<readonly BulkItem[]>,
  opts: BulkOptions,
): Promise<void> {
  const pool = new PreparePool();
  const it = groups[Symbol.iterator]();
  const start = (g: readonly BulkItem[]) => {
    const at = deps.clock.now();
    return { items: g, at, results: pool.prepare(g, at, opts.inlineLimit) };
  };
  try {
    let next = it.next();
    let current = next.done === true ? null : start(next.value);
    while (current !== null) {
      const results = await current.results;
      next = it.next();
      const following = next.done === true ? null : start(next.value);
      following?.results.catch(() => undefined); // surfaced when awaited
      const candidates = await toCandidates(current.items, results, current.at, opts);
      opts.onCommitted(await commitEvidence(deps, candidates));
      current = following;
    }
  } finally {
    await pool.close();
  }
}

async function toCandidates(
  items: readonly BulkItem[],
  results: readonly PrepareResult[],
  at: Date,
  opts: BulkOptions,
): Promise<Candidate[]> {
  const out: Candidate[] = [];
  for (let i = 0; i < items.length; i++) {
    const item = items[i] as BulkItem;
    const r = results[i] as PrepareResult;
    if (r.ok) {
      const [data, digest] = [toBuffer(r.data), toBuffer(r.digest)];
      const record = evidenceAdded(digest, data.length, item.meta, at);
      const encoded = { bytes: toBuffer(r.bytes), leafHash: toBuffer(r.leafHash) };
      out.push({
        contents: { kind: "inline", digest, size: data.length, data },
        meta: item.meta,
        prepared: { record, encoded, metaHash: toBuffer(r.metaHash) },
      });
    } else if (r.large && item.path !== undefined) {
      out.push({ contents: await ingestFile(item.path, opts.inlineLimit, opts.blobs), meta: item.meta });
    } else if (r.large && item.data !== undefined) {
      out.push({
        contents: await ingestStream(Readable.from([item.data]), opts.inlineLimit, opts.blobs),
        meta: item.meta,
      });
    } else {
      throw fsError(
        item.path ?? "(buffer)",
        Object.assign(new Error(r.large ? "too large" : r.message), { code: r.large ? "EFBIG" : r.code }),
        "cannot read",
      );
    }
  }
  return out;
}

function toBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}
