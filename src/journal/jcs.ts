/**
 * RFC 8785 JSON Canonicalization Scheme.
 *
 * Written here rather than taken from a package because the journal must reject
 * what JCS cannot represent (non-finite numbers, lone surrogates, non-plain
 * objects) instead of silently coercing it. JCS serialises primitives exactly
 * as ECMAScript's JSON.stringify does (RFC 8785 s3.2.2.2 strings, s3.2.2.3
 * numbers), so the work here is validation and key order (s3.2.3: UTF-16 code
 * units, which is JavaScript's default string sort).
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
  return inCanonicalOrder(value) ? JSON.stringify(value) : canonicalizeSorted(value);
}

/**
 * The reference path: validates while building a clone with sorted keys, and
 * throws CanonicalJsonError (with the path) for what JCS cannot represent.
 * canonicalize() gives the same string; exported for the property test.
 */
export function canonicalizeSorted(value: unknown): string {
  const state = { integerKeys: false };
  const sorted = sortedClone(value, state);
  // JS objects enumerate integer-like keys ("9", "10") numerically first, whatever
  // the insertion order, so such objects take the slower string-building path.
  return state.integerKeys ? encode(value, () => "$") : JSON.stringify(sorted);
}

export function canonicalBytes(value: unknown): Buffer {
  return Buffer.from(canonicalize(value), "utf8");
}

const INTEGER_KEY = /^(0|[1-9][0-9]*)$/;

/**
 * The fast path's test: true when JSON.stringify(value) is already the
 * canonical form, that is the value is plain data JCS can represent and every
 * object enumerates its keys in ascending UTF-16 order (records built in key
 * order, and every record parsed from canonical bytes, pass). Anything else,
 * invalid input included, is left to the reference path, which explains it.
 */
export function inCanonicalOrder(value: unknown): boolean {
  if (value === null) return true;
  switch (typeof value) {
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "string":
      return value.isWellFormed();
    case "object":
      return Array.isArray(value) ? arrayInOrder(value) : objectInOrder(value);
    default:
      return false;
  }
}

function arrayInOrder(a: readonly unknown[]): boolean {
  // A hole reads as undefined (declined, like an undefined item): JSON.stringify would emit null.
  for (let i = 0; i < a.length; i++) if (!inCanonicalOrder(a[i])) return false;
  return true;
}

function objectInOrder(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  if (proto !== Object.prototype && proto !== null) return false;
  const record = o as Record<string, unknown>;
  let prev = "";
  let first = true;
  // Object.keys is the order JSON.stringify emits members in (integer-like keys first, numerically).
  for (const k of Object.keys(record)) {
    if ((!first && !(prev < k)) || k === "__proto__" || !k.isWellFormed()) return false;
    const v = record[k];
    // An undefined member is omitted by JSON.stringify and by the reference path alike.
    if (v !== undefined && !inCanonicalOrder(v)) return false;
    prev = k;
    first = false;
  }
  return true;
}

/** Validates and returns a copy whose objects have keys in insertion = canonical order. */
function sortedClone(
  value: unknown,
  state: { integerKeys: boolean },
  path: () => string = () => "$",
): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case "boolean":
      return value;
    case "number":
      if (!Number.isFinite(value)) throw new CanonicalJsonError("non-finite number", path());
      return value;
    case "string":
      if (!value.isWellFormed()) throw new CanonicalJsonError("string contains a lone surrogate", path());
      return value;
    case "object":
      // Array.from visits holes as undefined, which is rejected; .map would keep them (emitted as null or ",,").
      if (Array.isArray(value)) {
        return Array.from(value, (v, i) => sortedClone(v, state, () => `${path()}[${i}]`));
      }
      return cloneObject(value, state, path);
    default:
      throw new CanonicalJsonError(`unsupported ${typeof value} value`, path());
  }
}

function cloneObject(
  value: object,
  state: { integerKeys: boolean },
  path: () => string,
): Record<string, unknown> {
  assertPlain(value, path);
  const record = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) {
    const v = record[k];
    if (v === undefined) continue;
    if (!k.isWellFormed()) throw new CanonicalJsonError("key contains a lone surrogate", path());
    // out["__proto__"] = v would set the clone's prototype and drop the member: build that object by string too.
    if (INTEGER_KEY.test(k) || k === "__proto__") state.integerKeys = true;
    out[k] = sortedClone(v, state, () => `${path()}.${k}`);
  }
  return out;
}

function assertPlain(value: object, path: () => string): void {
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null)
    throw new CanonicalJsonError("not a plain object", path());
}

/** The general path: builds the string member by member in canonical order. */
function encode(value: unknown, path: () => string): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v, i) => encode(v, () => `${path()}[${i}]`)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record)
    .filter((k) => record[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(record[k], () => `${path()}.${k}`)}`).join(",")}}`;
}
