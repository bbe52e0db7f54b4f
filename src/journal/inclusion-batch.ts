import { HASH_SIZE, nodeHashB64 } from "./hash.js";

/**
 * Canonical standard base64 (RFC 4648 s4) of exactly 32 bytes: 42
 * characters, a 43rd carrying the last 4 bits (its low 2 bits zero), then "=".
 * A table, not a pattern: it is asked once per hash of every proof.
 */
const B64_LENGTH = 44;
const B64_CHAR = 1;
const B64_LAST = 2;
const B64_TABLE = (() => {
  const t = new Uint8Array(128);
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (let v = 0; v < alphabet.length; v++)
    t[alphabet.charCodeAt(v)] = v % 4 === 0 ? B64_CHAR | B64_LAST : B64_CHAR;
  return t;
})();

/** The outcome of one proof: included, not included (or wrongly shaped), or a sibling that is not a hash. */
export type BatchOutcome = { readonly ok: true } | { readonly ok: false; readonly malformed: number | null };

/** A node proven to lie on a path to the root (its level, index at that level, hash), and the rest of that path. */
interface Proven {
  readonly level: number;
  readonly index: number;
  readonly hash: string;
  readonly proof: readonly string[];
  readonly from: number;
}

/** RFC 9162 s2.1.3: a tree of fewer than 2^64 leaves has at most 64 levels above the leaves. */
const LEVELS = 64;

const OK: BatchOutcome = { ok: true };
const NOT_INCLUDED: BatchOutcome = { ok: false, malformed: null };

/** True when s is canonical base64 of a 32-byte hash. */
export function isHashB64(s: unknown): s is string {
  if (typeof s !== "string" || s.length !== B64_LENGTH || s.charCodeAt(B64_LENGTH - 1) !== 0x3d) return false;
  for (let i = 0; i < B64_LENGTH - 2; i++) if (!hasBit(s.charCodeAt(i), B64_CHAR)) return false;
  return hasBit(s.charCodeAt(B64_LENGTH - 2), B64_LAST);
}

const hasBit = (c: number, bit: number): boolean => c < 128 && ((B64_TABLE[c] as number) & bit) !== 0;

/** Decodes one sibling; null when it is not canonical base64 of a 32-byte hash. */
export function decodeHashB64(s: unknown): Buffer | null {
  return isHashB64(s) ? Buffer.from(s, "base64") : null;
}

/**
 * Verifies many RFC 9162 s2.1.3.2 inclusion proofs against one tree (size,
 * root), as an offline pack holds: each proof is checked exactly as
 * verifyInclusion would, but a walk stops early once the rest of it would
 * repeat an earlier proof's walk step for step (the state at a node depends
 * only on its level, index and hash, and on the siblings still to come):
 * when it reaches a node an earlier proof carried to the root with the very
 * same remaining siblings, or when its sibling is such a node, proven with
 * the hash this proof gives it and with this node's hash as its next
 * sibling (both walks then compute the same parent).
 *
 * Only the last node proven at each level is remembered: proofs given in
 * leaf order (as a pack lists them) meet the previous one's path there, so
 * each interior node of the proven part is hashed once (a whole tree costs
 * n - 1 node hashes instead of n log2(n)), in memory of 64 nodes and without
 * keeping every proof alive. Any other order is verified just as well, with
 * less sharing. Hashes stay the base64 text of the pack.
 */
export class InclusionBatch {
  private readonly last: (Proven | undefined)[] = new Array<Proven | undefined>(LEVELS).fill(undefined);
  private readonly rootB64: string;
  /** Interior hashes computed so far (what the sharing saves is visible here). */
  hashed = 0;

  constructor(
    readonly size: number,
    readonly root: Uint8Array,
  ) {
    this.rootB64 = Buffer.from(root.buffer, root.byteOffset, root.byteLength).toString("base64");
  }

  verify(index: number, leaf: Uint8Array, proof: readonly string[]): BatchOutcome {
    if (leaf.length !== HASH_SIZE) return NOT_INCLUDED;
    const b64 = Buffer.from(leaf.buffer, leaf.byteOffset, leaf.byteLength).toString("base64");
    return this.verifyB64(index, b64, proof);
  }

  /** verify, with the leaf hash as base64 (leafHashB64). */
  verifyB64(index: number, leaf: string, proof: readonly string[]): BatchOutcome {
    const size = this.size;
    if (!Number.isSafeInteger(index) || index < 0 || index >= size || !isHashB64(leaf)) return NOT_INCLUDED;
    const walked: Proven[] = [];
    let fn = index;
    let sn = size - 1;
    let level = 0;
    let r = leaf;
    for (let k = 0; k < proof.length; k++) {
      if (this.sameAsProven(fn, level, r, proof, k)) return this.remember(walked);
      walked.push({ level, index: fn, hash: r, proof, from: k });
      if (sn === 0) return NOT_INCLUDED;
      const p = proof[k];
      if (!isHashB64(p)) return { ok: false, malformed: k };
      if (this.siblingProven(fn, sn, level, r, p, proof, k)) return this.remember(walked);
      this.hashed++;
      if (fn % 2 === 1 || fn === sn) {
        r = nodeHashB64(p, r);
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
          level++;
        }
      } else r = nodeHashB64(r, p);
      fn = Math.floor(fn / 2);
      sn = Math.floor(sn / 2);
      level++;
    }
    if (sn !== 0 || r !== this.rootB64) return NOT_INCLUDED;
    return this.remember(walked);
  }

  private sameAsProven(fn: number, level: number, r: string, proof: readonly string[], k: number): boolean {
    const hit = this.last[level];
    return hit !== undefined && hit.index === fn && hit.hash === r && sameRest(hit.proof, hit.from, proof, k);
  }

  /**
   * The sibling at this level (left of an odd node, right of an even one
   * that has one) was proven with hash p, with r as its next sibling and the
   * same siblings after: its walk took the very step this one is about to.
   */
  private siblingProven(
    fn: number,
    sn: number,
    level: number,
    r: string,
    p: string,
    proof: readonly string[],
    k: number,
  ): boolean {
    const sibling = fn % 2 === 1 ? fn - 1 : fn < sn ? fn + 1 : -1;
    const hit = this.last[level];
    return (
      sibling >= 0 &&
      hit !== undefined &&
      hit.index === sibling &&
      hit.hash === p &&
      hit.proof[hit.from] === r &&
      sameRest(hit.proof, hit.from + 1, proof, k + 1)
    );
  }

  /** Every node the walk passed is now proven, with the path above it. */
  private remember(walked: readonly Proven[]): BatchOutcome {
    for (const w of walked) this.last[w.level] = w;
    return OK;
  }
}
/** a[i..] and b[k..] are the same siblings. */
function sameRest(a: readonly string[], i: number, b: readonly string[], k: number): boolean {
  if (a.length - i !== b.length - k) return false;
  for (let j = 0; j < b.length - k; j++) if (a[i + j] !== b[k + j]) return false;
  return true;
}
