import { equalBytes, HASH_SIZE, nodeHash } from "./hash.js";

/** Canonical standard base64 of exactly 32 bytes: 43 characters, the last carrying 2 bits, then "=". */
const HASH_B64 = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The outcome of one proof: included, not included (or wrongly shaped), or a sibling that is not a hash. */
export type BatchOutcome = { readonly ok: true } | { readonly ok: false; readonly malformed: number | null };

/** A node proven to lie on a path to the root, and the rest of that path. */
interface Proven {
  readonly hash: Uint8Array;
  readonly proof: readonly string[];
  readonly from: number;
}

/** Subtrees are keyed by (index at their level, level); indices stay below 2^47 (validSize). */
const MAX_MEMO_SIZE = 2 ** 47;
/** The memo is only an optimisation: past this many nodes it starts again. */
const MAX_MEMO_NODES = 1 << 21;

/** Decodes one sibling; null when it is not canonical base64 of a 32-byte hash. */
export function decodeHashB64(s: unknown): Buffer | null {
  return typeof s === "string" && HASH_B64.test(s) ? Buffer.from(s, "base64") : null;
}

/**
 * Verifies many RFC 9162 s2.1.3.2 inclusion proofs against one tree (size,
 * root), as an offline pack holds: each proof is checked exactly as
 * verifyInclusion would, but a walk stops early when it reaches a node that
 * an earlier proof already carried to the root with the very same remaining
 * siblings — from there the computation would repeat step for step (the
 * state at a node depends only on its level and index). Neighbouring leaves
 * then cost about two hashes each instead of log2(size). Siblings arrive as
 * the base64 text of the pack and are decoded only when hashed.
 */
export class InclusionBatch {
  private proven = new Map<number, Proven>();
  /** Interior hashes computed so far (what the sharing saves is visible here). */
  hashed = 0;

  constructor(
    readonly size: number,
    readonly root: Uint8Array,
  ) {}

  verify(index: number, leaf: Uint8Array, proof: readonly string[]): BatchOutcome {
    const size = this.size;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || leaf.length !== HASH_SIZE)
      return { ok: false, malformed: null };
    const memo = size <= MAX_MEMO_SIZE;
    const path: number[] = [];
    const hashes: Uint8Array[] = [];
    let fn = index;
    let sn = size - 1;
    let level = 0;
    let r: Uint8Array = leaf;
    for (let k = 0; k < proof.length; k++) {
      if (memo) {
        const key = fn * 64 + level;
        if (this.sameAsProven(key, r, proof, k)) return this.remember(path, hashes, proof, { ok: true });
        path.push(key);
        hashes.push(r);
      }
      if (sn === 0) return { ok: false, malformed: null };
      const p = decodeHashB64(proof[k]);
      if (p === null) return { ok: false, malformed: k };
      this.hashed++;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHash(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
          level++;
        }
      } else r = nodeHash(r, p);
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      level++;
    }
    if (sn !== 0 || !equalBytes(r, this.root)) return { ok: false, malformed: null };
    return this.remember(path, hashes, proof, { ok: true });
  }

  private sameAsProven(key: number, r: Uint8Array, proof: readonly string[], k: number): boolean {
    const hit = this.proven.get(key);
    if (hit === undefined || !equalBytes(hit.hash, r)) return false;
    if (hit.proof.length - hit.from !== proof.length - k) return false;
    for (let j = 0; j < proof.length - k; j++) if (hit.proof[hit.from + j] !== proof[k + j]) return false;
    return true;
  }

  /** Every node the walk passed is now proven, with the path above it. */
  private remember(path: number[], hashes: Uint8Array[], proof: readonly string[], out: BatchOutcome) {
    if (this.proven.size + path.length > MAX_MEMO_NODES) this.proven = new Map();
    for (let i = 0; i < path.length; i++)
      this.proven.set(path[i] as number, { hash: hashes[i] as Uint8Array, proof, from: i });
    return out;
  }
}
