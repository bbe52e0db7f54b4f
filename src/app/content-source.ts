import { existsSync } from "node:fs";
import type { Readable } from "node:stream";
import { VigilError } from "../errors.js";
import { BlobFiles } from "../storage/fs/blob-files.js";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { SqliteBlobStore } from "../storage/sqlite/sqlite-blob-store.js";
import { lockerPaths } from "./paths.js";

/** Contents by digest from another locker directory (a replica, a restored backup), read-only. */
export interface ContentSource {
  open(digest: Buffer): Promise<Readable>;
  close(): void;
}

export function openContentSource(dir: string): ContentSource {
  const p = lockerPaths(dir);
  if (!existsSync(p.database)) throw new VigilError("NOT_FOUND", `no locker database at ${dir}`);
  const db = openDatabase(p.database, { create: false, readonly: true });
  const blobs = new SqliteBlobStore(db, new BlobFiles(p.blobs));
  return { open: (d) => blobs.open(d), close: () => db.close() };
}
