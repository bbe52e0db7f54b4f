/**
 * The contents of a base64 string (RFC 4648 s4: the standard alphabet, length
 * a multiple of 4, at most two "=" at the end), or null for anything else.
 * Node's decoder is lenient (it skips characters outside the alphabet, stops
 * at an inner "=", and takes the URL-safe "-" and "_" as well), so strictness
 * is checked on its result instead of by a regular expression over every
 * character first: every skipped or early-stopped character makes the
 * decoded length fall short of what the string's length and padding
 * promise, and the two URL-safe characters are looked for directly (memchr).
 * A property test checks it against the regular expression it replaces.
 */
export function decodeStrictBase64(s: string): Buffer | null {
  const n = s.length;
  if (n % 4 !== 0) return null;
  const bytes = Buffer.from(s, "base64");
  let pad = 0;
  if (n > 0 && s.charCodeAt(n - 1) === EQ) pad = s.charCodeAt(n - 2) === EQ ? 2 : 1;
  if (bytes.length !== (n / 4) * 3 - pad || s.includes("-") || s.includes("_")) return null;
  return bytes;
}

const EQ = 0x3d; // "="
