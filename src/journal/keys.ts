import {
  computeKeyId,
  ed25519Signer,
  ed25519Verifier,
  SIG_TYPE_ED25519,
  type Signer,
  type Verifier,
} from "./signer.js";

/**
 * Verifier keys and private keys in the text encodings of C2SP signed-note
 * ("<name>+<hex key id>+<base64(type || public key)>") and of Go's
 * golang.org/x/mod/sumdb/note ("PRIVATE+KEY+<name>+<hex id>+<base64(type || seed)>"),
 * so keys move between Vigil and other tlog tooling unchanged.
 */
export class KeyFormatError extends Error {
  override name = "KeyFormatError";
}

const PRIVATE_PREFIX = "PRIVATE+KEY+";

export function isValidKeyName(name: string): boolean {
  // C2SP signed-note: non-empty, no Unicode spaces, no "+".
  return name.length > 0 && !/[\s+]/u.test(name) && name.isWellFormed();
}

export function formatVerifierKey(name: string, publicKey: Uint8Array): string {
  const id = computeKeyId(name, publicKey);
  return `${name}+${hex8(id)}+${Buffer.concat([Uint8Array.of(SIG_TYPE_ED25519), publicKey]).toString("base64")}`;
}

export function formatSignerKey(name: string, seed: Uint8Array): string {
  const signer = ed25519Signer(name, seed);
  const body = Buffer.concat([Uint8Array.of(SIG_TYPE_ED25519), seed]).toString("base64");
  return `${PRIVATE_PREFIX}${name}+${hex8(signer.keyId)}+${body}`;
}

export function parseVerifierKey(text: string): Verifier {
  const { name, id, key } = splitKey(text.trim(), "verifier key");
  const verifier = ed25519Verifier(name, key);
  if (verifier.keyId !== id) throw new KeyFormatError("verifier key: key id does not match name and key");
  return verifier;
}

export function parseSignerKey(text: string): Signer {
  const trimmed = text.trim();
  if (!trimmed.startsWith(PRIVATE_PREFIX))
    throw new KeyFormatError("private key: missing PRIVATE+KEY+ prefix");
  const { name, id, key } = splitKey(trimmed.slice(PRIVATE_PREFIX.length), "private key");
  const signer = ed25519Signer(name, key);
  if (signer.keyId !== id) throw new KeyFormatError("private key: key id does not match name and key");
  return signer;
}

function splitKey(text: string, what: string): { name: string; id: number; key: Buffer } {
  // The base64 part may itself contain "+": split on the first two only.
  const first = text.indexOf("+");
  const second = text.indexOf("+", first + 1);
  if (first < 0 || second < 0) throw new KeyFormatError(`${what}: expected <name>+<hex id>+<base64 key>`);
  const [name, idHex, b64] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (!isValidKeyName(name)) throw new KeyFormatError(`${what}: invalid key name`);
  if (!/^[0-9a-f]{8}$/.test(idHex))
    throw new KeyFormatError(`${what}: key id must be 8 lowercase hex digits`);
  const raw = decodeBase64Strict(b64);
  if (raw === null || raw.length !== 33) throw new KeyFormatError(`${what}: key must be base64 of 33 bytes`);
  if (raw[0] !== SIG_TYPE_ED25519) throw new KeyFormatError(`${what}: unsupported signature type ${raw[0]}`);
  return { name, id: parseInt(idHex, 16), key: raw.subarray(1) };
}

/** Standard base64 with padding; rejects anything Buffer.from would silently skip. */
export function decodeBase64Strict(text: string): Buffer | null {
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(text)) return null;
  const buf = Buffer.from(text, "base64");
  return buf.toString("base64") === text ? buf : null;
}

export function hex8(n: number): string {
  return n.toString(16).padStart(8, "0");
}
