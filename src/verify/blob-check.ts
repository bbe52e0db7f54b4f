import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { equalBytes, sha256 } from "../journal/index.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { Finding } from "./report.js";

const CHUNK = 4 << 20;

/** Rehash a file blob; reads in 4 MiB chunks so memory stays flat. */
export function checkFileBlob(
  path: string,
  digest: Buffer,
  size: number,
  buf: Buffer = Buffer.allocUnsafe(CHUNK),
): Finding | null {
  const id = `sha256:${digest.toString("hex")}`;
  let fd: number;
  try {
    fd = openSync(path, "r");
  } catch (e) {
    return {
      kind: "artifact",
      id,
      problem: `contents missing (${(e as NodeJS.ErrnoException).code ?? "unreadable"})`,
    };
  }
  const h = createHash("sha256");
  let total = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      total += n;
    }
  } finally {
    closeSync(fd);
  }
  if (total !== size) return { kind: "artifact", id, problem: `size is ${total} bytes, recorded ${size}` };
  if (!equalBytes(h.digest(), digest))
    return { kind: "artifact", id, problem: "contents do not match their sha256 digest" };
  return null;
}

export function checkInlineBlob(data: Buffer, digest: Buffer, size: number): Finding | null {
  const id = `sha256:${digest.toString("hex")}`;
  if (data.length !== size)
    return { kind: "artifact", id, problem: `size is ${data.length} bytes, recorded ${size}` };
  if (!equalBytes(sha256(data), digest)) {
    return { kind: "artifact", id, problem: "contents do not match their sha256 digest" };
  }
  return null;
}

/** Rehash contents as the blob store streams them (chunked rows or a file): either backend. */
export async function checkOpenedBlob(
  blobs: BlobStore,
  digest: Buffer,
  size: number,
): Promise<Finding | null> {
  const id = `sha256:${digest.toString("hex")}`;
  const h = createHash("sha256");
  let total = 0;
  try {
    for await (const chunk of await blobs.open(digest)) {
      h.update(chunk as Buffer);
      total += (chunk as Buffer).length;
    }
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    return {
      kind: "artifact",
      id,
      problem: `contents missing (${typeof code === "string" ? code : "unreadable"})`,
    };
  }
  if (total !== size) return { kind: "artifact", id, problem: `size is ${total} bytes, recorded ${size}` };
  if (!equalBytes(h.digest(), digest))
    return { kind: "artifact", id, problem: "contents do not match their sha256 digest" };
  return null;
}
