import { existsSync, readFileSync } from "node:fs";
import type { Readable } from "node:stream";
import { VigilError } from "../errors.js";
import { BlobFiles } from "../storage/fs/blob-files.js";
import { openDatabase } from "../storage/sqlite/open-database.js";
import { SqliteBlobStore } from "../storage/sqlite/sqlite-blob-store.js";
import { parseLockerConfig } from "./locker-config.js";
import { lockerPaths } from "./paths.js";

/** Contents by digest from another locker directory (a replica, a restored backup), read-only. */
export interface ContentSource {
  open(digest: Buffer): Promise<Readable>;
  close(): Promise<void>;
}

/**
 * The contents of the locker at `dir`: its vigil.db and blob files, or, when
 * its vigil.json names a database (a PostgreSQL backup restored into one),
 * that database's contents rows.
 */
export async function openContentSource(dir: string): Promise<ContentSource> {
  const p = lockerPaths(dir);
  const url = existsSync(p.config)
    ? parseLockerConfig(readFileSync(p.config, "utf8"), p.config).databaseUrl
    : undefined;
  if (url !== undefined) {
    const stores = await (await import("./postgres-stores.js")).openPostgresStores(url);
    return { open: (d) => stores.blobs.open(d), close: () => stores.close() };
  }
  if (!existsSync(p.database)) throw new VigilError("NOT_FOUND", `no locker database at ${dir}`);
  const db = openDatabase(p.database, { create: false, readonly: true });
  const blobs = new SqliteBlobStore(db, new BlobFiles(p.blobs));
  return { open: (d) => blobs.open(d), close: async () => void db.close() };
}
