import { VigilError } from "../../errors.js";

/** Node socket errors that mean the server cannot be reached (or went away). */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

/**
 * SQLSTATEs that are retryable conditions of the server, not of the request:
 * 08 connection exceptions, 57P01-03 admin/crash shutdown and cannot connect now,
 * 53 insufficient resources, 40001/40P01 serialisation failure and deadlock.
 */
function unavailable(code: string): boolean {
  return (
    code.startsWith("08") ||
    code.startsWith("53") ||
    ["57P01", "57P02", "57P03", "40001", "40P01"].includes(code)
  );
}

/** Map a node-postgres failure to a typed error, once. Messages carry no SQL parameters. */
export function mapPgError(e: unknown, what: string): VigilError {
  if (e instanceof VigilError) return e;
  const code = (e as { code?: unknown }).code;
  const message = e instanceof Error ? e.message : String(e);
  if (typeof code === "string" && (NETWORK_CODES.has(code) || unavailable(code)))
    return new VigilError("STORAGE_UNAVAILABLE", `${what}: PostgreSQL is unavailable (${code}); retry`, {
      cause: e,
    });
  // node-postgres reports a socket closed under it without a code.
  if (
    code === undefined &&
    /Connection terminated|connection timeout|Client has encountered a connection error/i.test(message)
  )
    return new VigilError("STORAGE_UNAVAILABLE", `${what}: PostgreSQL connection lost; retry`, { cause: e });
  // 3D000: the database named in the URL does not exist (dropped, or a typo); not retryable.
  if (code === "3D000")
    return new VigilError("STORAGE_UNAVAILABLE", `${what}: ${message} (3D000)`, { cause: e });
  // 28000/28P01: the server refused the role or its password.
  if (code === "28000" || code === "28P01")
    return new VigilError("PERMISSION_DENIED", `${what}: PostgreSQL refused the credentials (${code})`, {
      cause: e,
    });
  if (code === "23505")
    return new VigilError("CONFLICT", `${what}: a row with the same key already exists`, { cause: e });
  if (code === "XX001" || code === "XX002")
    return new VigilError("STORAGE_CORRUPT", `${what}: database is damaged (${code})`, { cause: e });
  // Data exceptions (22) and constraint violations (23) quote values: keep only the code.
  const safe = typeof code === "string" && /^2[23]/.test(code) ? "" : `: ${message}`;
  return new VigilError(
    "INTERNAL",
    `${what}: PostgreSQL error ${typeof code === "string" ? code : "unknown"}${safe}`,
    {
      cause: e,
    },
  );
}
