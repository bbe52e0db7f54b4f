/**
 * Typed errors with stable codes, mapped once to CLI exit codes (and, later,
 * HTTP statuses) by the table below. Messages say what and where; they never
 * contain keys, tokens or SQL parameters.
 */
export const ERROR_CODES = {
  USAGE: { exit: 2, http: 400 },
  INPUT_INVALID: { exit: 5, http: 400 },
  NOT_FOUND: { exit: 3, http: 404 },
  LOCKER_NOT_FOUND: { exit: 3, http: 503 },
  LOCKER_EXISTS: { exit: 4, http: 409 },
  CONFLICT: { exit: 4, http: 409 },
  KEY_INVALID: { exit: 6, http: 500 },
  STORAGE_CORRUPT: { exit: 6, http: 500 },
  STORAGE_UNAVAILABLE: { exit: 6, http: 503 },
  PERMISSION_DENIED: { exit: 7, http: 403 },
  INTEGRITY_FAILURE: { exit: 1, http: 500 },
  PROOF_INVALID: { exit: 1, http: 422 },
  /** The operation exists, but not on this locker's storage backend (yet). */
  UNSUPPORTED: { exit: 2, http: 501 },
  INTERNAL: { exit: 70, http: 500 },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  override name = "VigilError";
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function exitCodeFor(code: ErrorCode): number {
  return ERROR_CODES[code].exit;
}

export function isVigilError(e: unknown): e is VigilError {
  return e instanceof VigilError;
}

/** A filesystem failure on `path` as a typed error, by its errno code. */
export function fsError(path: string, e: unknown, doing = "cannot access"): VigilError {
  const code = (e as NodeJS.ErrnoException).code ?? "EIO";
  const known: Record<string, [ErrorCode, string]> = {
    ENOENT: ["NOT_FOUND", "no such file or directory"],
    ENOTDIR: ["NOT_FOUND", "a parent is not a directory"],
    EISDIR: ["INPUT_INVALID", "is a directory"],
    EACCES: ["PERMISSION_DENIED", "permission denied"],
    EPERM: ["PERMISSION_DENIED", "operation not permitted"],
    EEXIST: ["CONFLICT", "already exists"],
    ENOSPC: ["STORAGE_UNAVAILABLE", "no space left on device"],
  };
  const [c, why] = known[code] ?? ["STORAGE_UNAVAILABLE", code];
  return new VigilError(c, `${doing} ${path}: ${why}`, { cause: e });
}
