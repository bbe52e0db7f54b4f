import { ERROR_CODES, isVigilError, type ErrorCode } from "../errors.js";

/** Server-only error codes, beside the shared VigilError codes; each maps to one status. */
export const HTTP_CODES = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  ROUTE_NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  REQUEST_TIMEOUT: 408,
  SHUTTING_DOWN: 503,
} as const;
export type HttpCode = keyof typeof HTTP_CODES;

/** RFC 9457 problem details, with our stable `code` as an extension member. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: ErrorCode | HttpCode;
  readonly detail: string;
}

export const PROBLEM_TYPE = "application/problem+json";

/** An error the server raises itself (auth, limits); carries its code and is mapped by the same table. */
export class HttpError extends Error {
  override name = "HttpError";
  constructor(
    readonly code: HttpCode,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export function problem(code: ErrorCode | HttpCode, detail: string): Problem {
  const status = code in HTTP_CODES ? HTTP_CODES[code as HttpCode] : ERROR_CODES[code as ErrorCode].http;
  return {
    type: `https://vigil.dev/problems/${code.toLowerCase().replaceAll("_", "-")}`,
    title: title(code),
    status,
    code,
    detail,
  };
}

function title(code: string): string {
  const words = code.toLowerCase().replaceAll("_", " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Fastify's own errors (bad JSON, validation, limits) by their codes. */
const FASTIFY: Readonly<Record<string, HttpCode | ErrorCode>> = {
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: "INPUT_INVALID",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INPUT_INVALID",
  FST_ERR_CTP_INVALID_JSON_BODY: "INPUT_INVALID",
  FST_ERR_VALIDATION: "INPUT_INVALID",
  FST_ERR_BAD_URL: "INPUT_INVALID",
  FST_ERR_MAX_PARAM_LENGTH: "URI_TOO_LONG",
  FST_ERR_ASYNC_CONSTRAINT: "INPUT_INVALID",
};

/**
 * Maps any error to a problem, once, here. Unknown errors become INTERNAL
 * with a generic detail: their messages may carry internals.
 */
export function toProblem(e: unknown): { problem: Problem; headers: Readonly<Record<string, string>> } {
  if (e instanceof HttpError) return { problem: problem(e.code, e.message), headers: e.headers };
  if (isVigilError(e)) {
    const headers: Record<string, string> = e.code === "STORAGE_UNAVAILABLE" ? { "retry-after": "1" } : {};
    return { problem: problem(e.code, e.message), headers };
  }
  const f = e as { code?: unknown; message?: unknown; statusCode?: unknown };
  if (typeof f.code === "string" && f.code in FASTIFY) {
    const code = FASTIFY[f.code] as HttpCode | ErrorCode;
    return { problem: problem(code, fastifyDetail(f)), headers: {} };
  }
  if (typeof f.statusCode === "number" && f.statusCode >= 400 && f.statusCode < 500)
    return { problem: { ...problem("INPUT_INVALID", String(f.message)), status: f.statusCode }, headers: {} };
  return { problem: problem("INTERNAL", "internal error (see the server log)"), headers: {} };
}

function fastifyDetail(f: { message?: unknown }): string {
  const m = typeof f.message === "string" ? f.message : "invalid request";
  return m.length > 300 ? `${m.slice(0, 300)}…` : m;
}
