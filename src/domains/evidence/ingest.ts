import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import { fsError, VigilError } from "../../errors.js";
import { sha256 } from "../../journal/index.js";
import type { BlobStore, StagedFile } from "../../storage/blob-store.js";

/** Contents read and hashed: inline bytes, or a staged file for large contents. */
export type Ingested =
  | { readonly kind: "inline"; readonly digest: Buffer; readonly size: number; readonly data: Buffer }
  | { readonly kind: "file"; readonly digest: Buffer; readonly size: number; readonly staged: StagedFile };

export function inlineContents(data: Buffer): Ingested {
  return { kind: "inline", digest: sha256(data), size: data.length, data };
}

/** Reads a file: whole when small, streamed into the blob store otherwise. */
export async function ingestFile(path: string, inlineLimit: number, blobs: BlobStore): Promise<Ingested> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw fileError(path, e);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) throw new VigilError("INPUT_INVALID", `${path} is not a regular file`);
    if (st.size <= inlineLimit) {
      const data = await fh.readFile();
      if (data.length <= inlineLimit) return inlineContents(data);
      return stageAll(blobs, Readable.from([]), [data]);
    }
  } finally {
    await fh.close();
  }
  try {
    const staged = await blobs.stageFile(path);
    return { kind: "file", digest: staged.digest, size: staged.size, staged };
  } catch (e) {
    throw fileError(path, e);
  }
}

/** Reads a stream (stdin): buffered up to the inline limit, then streamed to a staged file. */
export async function ingestStream(
  source: Readable,
  inlineLimit: number,
  blobs: BlobStore,
): Promise<Ingested> {
  const it = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head: Buffer[] = [];
  let size = 0;
  for (;;) {
    const next = await it.next();
    if (next.done === true) return inlineContents(Buffer.concat(head));
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    head.push(chunk);
    size += chunk.length;
    if (size > inlineLimit) break;
  }
  const rest = Readable.from(
    (async function* () {
      for (;;) {
        const n = await it.next();
        if (n.done === true) return;
        yield n.value;
      }
    })(),
  );
  return stageAll(blobs, rest, head);
}

async function stageAll(blobs: BlobStore, source: Readable, prefix: Buffer[]): Promise<Ingested> {
  const staged = await blobs.stage(source, prefix);
  return { kind: "file", digest: staged.digest, size: staged.size, staged };
}

function fileError(path: string, e: unknown): VigilError {
  return fsError(path, e, "cannot read");
}
