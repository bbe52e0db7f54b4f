import { ERROR_CODES, VigilError, type ErrorCode } from "../errors.js";

/**
 * The server's own refusals, as the CLI's codes (so exit codes follow the
 * one table in errors.ts). A shared code comes back as itself.
 */
const SERVER_ONLY: Readonly<Record<string, ErrorCode>> = {
  UNAUTHENTICATED: "PERMISSION_DENIED",
  FORBIDDEN: "PERMISSION_DENIED",
  ROUTE_NOT_FOUND: "UNSUPPORTED",
  METHOD_NOT_ALLOWED: "UNSUPPORTED",
  PAYLOAD_TOO_LARGE: "INPUT_INVALID",
  URI_TOO_LONG: "INPUT_INVALID",
  UNSUPPORTED_MEDIA_TYPE: "INPUT_INVALID",
  HEADERS_TOO_LARGE: "INPUT_INVALID",
  RATE_LIMITED: "STORAGE_UNAVAILABLE",
  REQUEST_TIMEOUT: "STORAGE_UNAVAILABLE",
  SHUTTING_DOWN: "STORAGE_UNAVAILABLE",
};

/** An RFC 9457 problem (or any other non-success answer) as a VigilError. */
export async function errorFrom(res: Response, what: string): Promise<VigilError> {
  const text = await res.text().catch(() => "");
  let p: { code?: unknown; detail?: unknown } = {};
  try {
    p = JSON.parse(text) as typeof p;
  } catch {
    // not a problem document (a proxy's page, say): reported by status below
  }
  const code = typeof p.code === "string" ? p.code : "";
  const detail = typeof p.detail === "string" ? p.detail : `${what}: the server answered ${res.status}`;
  if (code in ERROR_CODES) return new VigilError(code as ErrorCode, detail);
  const mapped = SERVER_ONLY[code];
  if (mapped !== undefined) return new VigilError(mapped, `the server refused: ${detail} (${code})`);
  return new VigilError(res.status >= 500 ? "STORAGE_UNAVAILABLE" : "INTERNAL", detail);
}

/** fetch() itself failed: the server is not reachable. Never repeats the token. */
export function unreachable(base: string, e: unknown): VigilError {
  type Cause = { code?: unknown; message?: string; errors?: Cause[] };
  const cause = (e as { cause?: Cause }).cause;
  const first = cause?.errors?.[0] ?? cause;
  const why = typeof first?.code === "string" ? first.code : (first?.message ?? (e as Error).message);
  return new VigilError("STORAGE_UNAVAILABLE", `cannot reach the server at ${base}: ${why}`, { cause: e });
}
