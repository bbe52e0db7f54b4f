import { createHash, hash } from "node:crypto";

/** RFC 6962 s2.1 / RFC 9162 s2.1.1: leaf hashes are prefixed with 0x00. */
export const LEAF_PREFIX = 0x00;
/** RFC 6962 s2.1 / RFC 9162 s2.1.1: interior node hashes are prefixed with 0x01. */
export const NODE_PREFIX = 0x01;
/** SHA-256 output size in bytes (FIPS 180-4). */
export const HASH_SIZE = 32;

const LEAF_PREFIX_BYTES = Uint8Array.of(LEAF_PREFIX);
const NODE_PREFIX_BYTES = Uint8Array.of(NODE_PREFIX);

export function sha256(data: Uint8Array): Buffer {
  return hash("sha256", data, "buffer");
}

/** MTH({d(0)}) = SHA-256(0x00 || d(0)). */
export function leafHash(data: Uint8Array): Buffer {
  if (data.length <= 4096) {
    const input = Buffer.allocUnsafe(data.length + 1);
    input[0] = LEAF_PREFIX;
    input.set(data, 1);
    return hash("sha256", input, "buffer");
  }
  return createHash("sha256").update(LEAF_PREFIX_BYTES).update(data).digest();
}

/** MTH(D[n]) = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  if (left.length !== HASH_SIZE || right.length !== HASH_SIZE) {
    return createHash("sha256").update(NODE_PREFIX_BYTES).update(left).update(right).digest();
  }
  // One-shot hashing of a reused 65-byte buffer: about twice as fast as a Hash object.
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + HASH_SIZE);
  return hash("sha256", NODE_INPUT, "buffer");
}

const NODE_INPUT = Buffer.alloc(1 + 2 * HASH_SIZE, NODE_PREFIX);
const NODE_INPUT_B64 = Buffer.alloc(1 + 2 * HASH_SIZE, NODE_PREFIX);
const LEAF_INPUT = Buffer.alloc(1 + 4096, LEAF_PREFIX);

/**
 * nodeHash of two hashes given as canonical base64 (as packs and proofs
 * spell them), the result in base64 too: no Buffer per node, and a string
 * compares in one step. The caller makes sure both are base64 of 32 bytes.
 */
export function nodeHashB64(left: string, right: string): string {
  NODE_INPUT_B64.write(left, 1, "base64");
  NODE_INPUT_B64.write(right, 1 + HASH_SIZE, "base64");
  return hash("sha256", NODE_INPUT_B64, "base64");
}

/** leafHash, in base64. */
export function leafHashB64(data: Uint8Array): string {
  if (data.length < LEAF_INPUT.length) {
    LEAF_INPUT.set(data, 1);
    return hash("sha256", LEAF_INPUT.subarray(0, data.length + 1), "base64");
  }
  return createHash("sha256").update(LEAF_PREFIX_BYTES).update(data).digest("base64");
}

/** The hash of an empty tree is the hash of the empty string (RFC 6962 s2.1). */
export const EMPTY_ROOT: Buffer = sha256(new Uint8Array(0));

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}
