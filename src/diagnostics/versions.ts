import { openDatabase } from "../storage/sqlite/open-database.js";

export interface Versions {
  readonly vigil: string;
  readonly node: string;
  readonly v8: string;
  readonly openssl: string;
  readonly sqlite: string | null;
  readonly platform: string;
  readonly arch: string;
}

/** Versions of vigil, Node and the SQLite library that opens `database` (read-only). */
export function versions(vigil: string, database: string): Versions {
  return {
    vigil,
    node: process.versions.node,
    v8: process.versions.v8,
    openssl: process.versions.openssl,
    sqlite: sqliteVersion(database),
    platform: process.platform,
    arch: process.arch,
  };
}

function sqliteVersion(database: string): string | null {
  try {
    const db = openDatabase(database, { create: false, readonly: true });
    try {
      return db.prepare("SELECT sqlite_version()").pluck().get() as string;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
