import { createHash } from "node:crypto";

/**
 * A test oracle written straight from the recursive definitions of RFC 6962
 * s2.1 (MTH), s2.1.1 (PATH) and s2.1.2 (PROOF / SUBPROOF), hashing with
 * node:crypto directly. Deliberately slow and independent of src/journal:
 * no stored nodes, no bit arithmetic, no shared helpers.
 */
type Hash = Uint8Array;

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};

export const naiveLeafHash = (data: Uint8Array): Buffer => sha256(Uint8Array.of(0x00), data);
const node = (left: Hash, right: Hash): Buffer => sha256(Uint8Array.of(0x01), left, right);

/** k: the largest power of two smaller than n (n > 1). */
function split(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const at = (hashes: readonly Hash[], i: number): Hash => {
  const h = hashes[i];
  if (h === undefined) throw new RangeError(`no hash at ${i}`);
  return h;
};

/** MTH(D[n]) over leaf hashes; the empty tree is SHA-256(""). */
export function mth(leaves: readonly Hash[]): Hash {
  if (leaves.length === 0) return sha256();
  if (leaves.length === 1) return at(leaves, 0);
  const k = split(leaves.length);
  return node(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

/** PATH(m, D[n]). */
export function path(m: number, leaves: readonly Hash[]): Hash[] {
  if (leaves.length <= 1) return [];
  const k = split(leaves.length);
  if (m < k) return [...path(m, leaves.slice(0, k)), mth(leaves.slice(k))];
  return [...path(m - k, leaves.slice(k)), mth(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function consistencyProof(m: number, leaves: readonly Hash[]): Hash[] {
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Hash[], b: boolean): Hash[] {
  if (m === leaves.length) return b ? [] : [mth(leaves)];
  const k = split(leaves.length);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), b), mth(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), mth(leaves.slice(0, k))];
}

const same = (a: Hash, b: Hash): boolean => Buffer.compare(a, b) === 0;

/** Accept iff `proof` has the shape of PATH(index, D[size]) and rebuilds `root`. */
export function naiveVerifyInclusion(
  index: number,
  size: number,
  leaf: Hash,
  proof: readonly Hash[],
  root: Hash,
): boolean {
  if (!Number.isSafeInteger(index) || index < 0 || index >= size) return false;
  const got = rootFromPath(index, size, leaf, proof);
  return got !== null && same(got, root);
}

function rootFromPath(m: number, n: number, leaf: Hash, proof: readonly Hash[]): Hash | null {
  if (n === 1) return proof.length === 0 ? leaf : null;
  if (proof.length === 0) return null;
  const k = split(n);
  const last = at(proof, proof.length - 1);
  const below =
    m < k
      ? rootFromPath(m, k, leaf, proof.slice(0, -1))
      : rootFromPath(m - k, n - k, leaf, proof.slice(0, -1));
  if (below === null) return null;
  return m < k ? node(below, last) : node(last, below);
}

/** Accept iff `proof` has the shape of PROOF(m, D[n]) and rebuilds both roots (0 < m <= n). */
export function naiveVerifyConsistency(
  m: number,
  n: number,
  root1: Hash,
  root2: Hash,
  proof: readonly Hash[],
): boolean {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m <= 0 || m > n) return false;
  const got = rootsFromSubproof(m, n, true, root1, proof);
  return got !== null && same(got.old, root1) && same(got.new, root2);
}

/** The hashes of D[0:m] (old) and D[0:n] (new) within the current subtree. */
function rootsFromSubproof(
  m: number,
  n: number,
  b: boolean,
  root1: Hash,
  proof: readonly Hash[],
): { old: Hash; new: Hash } | null {
  if (m === n) {
    if (b) return proof.length === 0 ? { old: root1, new: root1 } : null;
    return proof.length === 1 ? { old: at(proof, 0), new: at(proof, 0) } : null;
  }
  if (proof.length === 0) return null;
  const k = split(n);
  const last = at(proof, proof.length - 1);
  const rest = proof.slice(0, -1);
  if (m <= k) {
    const sub = rootsFromSubproof(m, k, b, root1, rest);
    return sub && { old: sub.old, new: node(sub.new, last) };
  }
  const sub = rootsFromSubproof(m - k, n - k, false, root1, rest);
  return sub && { old: node(last, sub.old), new: node(last, sub.new) };
}
