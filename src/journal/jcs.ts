/**
 * RFC 8785 JSON Canonicalization Scheme.
 *
 * Written here rather than taken from a package because the journal must reject
 * what JCS cannot represent (non-finite numbers, lone surrogates, non-plain
 * objects) instead of silently coercing it, and the whole scheme is the
 * ECMAScript serialisation rules that `JSON.stringify` already implements
 * for primitives (RFC 8785 s3.2.2.2, s3.2.2.3) plus UTF-16 key ordering (s3.2.3).
 */
export class CanonicalJsonError extends Error {
  constructor(
    message: string,
    readonly path: string,
  ) {
    super(`${message} at ${path}`);
    this.name = "CanonicalJsonError";
  }
}

export function canonicalize(value: unknown): string {
  return encode(value, "$");
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}

function encode(value: unknown, path: string): string {
  if (value === null) return "null";
  switch (typeof value) {
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError("non-finite number", path);
      // RFC 8785 s3.2.2.3: the ECMAScript Number serialisation; -0 becomes 0.
      return JSON.stringify(value);
    case "string":
      return encodeString(value, path);
    case "object":
      return Array.isArray(value) ? encodeArray(value, path) : encodeObject(value, path);
    default:
      throw new CanonicalJsonError(`unsupported ${typeof value} value`, path);
  }
}

function encodeString(s: string, path: string): string {
  if (!s.isWellFormed()) throw new CanonicalJsonError("string contains a lone surrogate", path);
  // RFC 8785 s3.2.2.2: JSON.stringify escapes exactly the required set.
  return JSON.stringify(s);
}

function encodeArray(items: unknown[], path: string): string {
  // Array.from visits holes as undefined, which encode rejects; .map skips them and emits "[1,,2]".
  return `[${Array.from(items, (item, i) => encode(item, `${path}[${i}]`)).join(",")}]`;
}

function encodeObject(value: object, path: string): string {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new CanonicalJsonError("not a plain object", path);
  }
  const record = value as Record<string, unknown>;
  // RFC 8785 s3.2.3: sort by UTF-16 code units, which is JS's default string order.
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  const parts = keys.map((k) => `${encodeString(k, path)}:${encode(record[k], `${path}.${k}`)}`);
  return `{${parts.join(",")}}`;
}
