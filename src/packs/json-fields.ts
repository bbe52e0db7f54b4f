import { HASH_SIZE } from "../journal/hash.js";
import { decodeBase64Strict } from "../journal/keys.js";

/** A pack JSON file that does not have the expected shape; the message names the field. */
export class PackJsonError extends Error {
  override name = "PackJsonError";
}

export type JsonObject = Readonly<Record<string, unknown>>;

/** Parses bytes as one JSON object with exactly the given keys (parse, don't validate). */
export function parseObject(bytes: Uint8Array, keys: readonly string[], where: string): JsonObject {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch {
    throw new PackJsonError(`${where} is not JSON`);
  }
  return asObject(value, keys, where);
}

export function asObject(value: unknown, keys: readonly string[], where: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new PackJsonError(`${where} must be a JSON object`);
  const o = value as JsonObject;
  for (const k of Object.keys(o))
    if (!keys.includes(k)) throw new PackJsonError(`${where}: unknown field ${k}`);
  for (const k of keys) if (!(k in o)) throw new PackJsonError(`${where}: missing field ${k}`);
  return o;
}

export function intField(o: JsonObject, key: string, where: string, min = 0): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v < min)
    throw new PackJsonError(`${where}: ${key} must be an integer >= ${min}`);
  return v;
}

export function stringField(o: JsonObject, key: string, where: string, pattern?: RegExp): string {
  const v = o[key];
  if (typeof v !== "string" || (pattern !== undefined && !pattern.test(v)))
    throw new PackJsonError(
      `${where}: ${key} must be a string${pattern ? ` matching ${pattern.source}` : ""}`,
    );
  return v;
}

export function constField(o: JsonObject, key: string, expected: string | number, where: string): void {
  if (o[key] !== expected) throw new PackJsonError(`${where}: ${key} must be ${JSON.stringify(expected)}`);
}

/** A base64 SHA-256 hash (RFC 6962 tree hashes are 32 bytes). */
export function hashField(o: JsonObject, key: string, where: string): Buffer {
  return decodeHash(o[key], `${where}: ${key}`);
}

export function hashListField(o: JsonObject, key: string, where: string, max = 64): Buffer[] {
  const v = o[key];
  // A proof for a tree of < 2^64 leaves has at most 64 hashes (RFC 9162 s2.1.3, s2.1.4).
  if (!Array.isArray(v) || v.length > max)
    throw new PackJsonError(`${where}: ${key} must be a list of at most ${max} hashes`);
  return v.map((h, i) => decodeHash(h, `${where}: ${key}[${i}]`));
}

function decodeHash(v: unknown, what: string): Buffer {
  const b = typeof v === "string" ? decodeBase64Strict(v) : null;
  if (b === null || b.length !== HASH_SIZE) throw new PackJsonError(`${what} must be a base64 SHA-256 hash`);
  return b;
}

export function arrayField(o: JsonObject, key: string, where: string): readonly unknown[] {
  const v = o[key];
  if (!Array.isArray(v)) throw new PackJsonError(`${where}: ${key} must be a list`);
  return v;
}

export const b64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

/** Pretty, stable JSON for pack files: fixed key order from the object literal, trailing newline. */
export function packJson(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, "utf8");
}
