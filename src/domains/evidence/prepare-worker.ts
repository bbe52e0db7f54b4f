/**
 * Worker thread for bulk ingest: reads small files, hashes contents and
 * builds canonical records, so the writer thread only classifies and commits.
 */
import { readFileSync, statSync } from "node:fs";
import { parentPort } from "node:worker_threads";
import type { EvidenceMeta } from "./metadata.js";
import { prepareInline } from "./prepare.js";

export interface PrepareRequest {
  readonly id: number;
  readonly addedAt: string;
  readonly inlineLimit: number;
  readonly items: readonly {
    readonly data?: Uint8Array;
    readonly path?: string;
    readonly meta: EvidenceMeta;
  }[];
}

export type PrepareResult =
  | {
      readonly ok: true;
      readonly data: Uint8Array;
      readonly digest: Uint8Array;
      readonly bytes: Uint8Array;
      readonly leafHash: Uint8Array;
      readonly metaHash: Uint8Array;
    }
  | { readonly ok: false; readonly large: true }
  | { readonly ok: false; readonly large: false; readonly code: string; readonly message: string };

function prepareOne(
  item: PrepareRequest["items"][number],
  addedAt: Date,
  inlineLimit: number,
): PrepareResult {
  let data: Buffer;
  if (item.data !== undefined) {
    if (item.data.byteLength > inlineLimit) return { ok: false, large: true };
    data = Buffer.from(item.data.buffer, item.data.byteOffset, item.data.byteLength);
  } else {
    try {
      if (statSync(item.path as string).size > inlineLimit) return { ok: false, large: true };
      data = readFileSync(item.path as string);
    } catch (e) {
      return {
        ok: false,
        large: false,
        code: (e as NodeJS.ErrnoException).code ?? "EIO",
        message: (e as Error).message,
      };
    }
    if (data.length > inlineLimit) return { ok: false, large: true };
  }
  const p = prepareInline(data, item.meta, addedAt);
  return {
    ok: true,
    data,
    digest: p.digest,
    bytes: p.encoded.bytes,
    leafHash: p.encoded.leafHash,
    metaHash: p.metaHash,
  };
}

parentPort?.on("message", (req: PrepareRequest) => {
  const addedAt = new Date(req.addedAt);
  const results = req.items.map((i) => prepareOne(i, addedAt, req.inlineLimit));
  parentPort?.postMessage({ id: req.id, results });
});
