import { nodeHash } from "./hash.js";
import { consistencyRanges, inclusionRanges, rangeNodes, type LeafRange, type NodeId } from "./ranges.js";

/** Reads stored node hashes; one call per proof so an adapter can batch the reads. */
export type NodeReader = (ids: readonly NodeId[]) => Promise<readonly Uint8Array[]>;

export class ProofRangeError extends Error {
  override name = "ProofRangeError";
}

/** RFC 6962 s2.1.1 audit path for leaf m in a tree of `size` leaves. */
export async function buildInclusionProof(m: number, size: number, read: NodeReader): Promise<Uint8Array[]> {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(size) || m < 0 || m >= size) {
    throw new ProofRangeError(`leaf index ${m} is outside a tree of size ${size}`);
  }
  return hashRanges(inclusionRanges(m, size), read);
}

/** RFC 6962 s2.1.2 consistency proof between tree sizes m and n (0 < m <= n). */
export async function buildConsistencyProof(m: number, n: number, read: NodeReader): Promise<Uint8Array[]> {
  if (!Number.isSafeInteger(m) || !Number.isSafeInteger(n) || m < 0 || m > n) {
    throw new ProofRangeError(`cannot prove consistency from size ${m} to size ${n}`);
  }
  if (m === 0 || m === n) return [];
  return hashRanges(consistencyRanges(m, n), read);
}

/** MTH of the whole tree of `size` leaves from its stored peaks. */
export async function buildRoot(size: number, read: NodeReader): Promise<Uint8Array | null> {
  if (size === 0) return null;
  const [root] = await hashRanges([{ lo: 0, hi: size }], read);
  return root ?? null;
}

async function hashRanges(ranges: readonly LeafRange[], read: NodeReader): Promise<Uint8Array[]> {
  const plan = ranges.map(rangeNodes);
  const hashes = await read(plan.flat());
  let at = 0;
  return plan.map((ids) => {
    const parts = hashes.slice(at, at + ids.length);
    at += ids.length;
    return foldRight(parts);
  });
}

/** Combine peaks right to left: the RFC 6962 shape of a range whose size is not a power of two. */
export function foldRight(parts: readonly Uint8Array[]): Uint8Array {
  let acc = parts[parts.length - 1];
  if (acc === undefined) throw new ProofRangeError("empty range");
  for (let i = parts.length - 2; i >= 0; i--) acc = nodeHash(parts[i] as Uint8Array, acc);
  return acc;
}
