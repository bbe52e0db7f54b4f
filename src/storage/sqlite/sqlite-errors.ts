import { VigilError } from "../../errors.js";

/** Map a better-sqlite3 failure to a typed error, once. */
export function mapSqliteError(e: unknown, what: string): VigilError {
  if (e instanceof VigilError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (code === "SQLITE_CORRUPT" || code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT_INDEX") {
    return new VigilError("STORAGE_CORRUPT", `${what}: database is damaged (${message})`, { cause: e });
  }
  if (typeof code === "string" && code.startsWith("SQLITE_")) {
    return new VigilError("STORAGE_UNAVAILABLE", `${what}: ${message}`, { cause: e });
  }
  return new VigilError("INTERNAL", `${what}: ${message}`, { cause: e });
}
