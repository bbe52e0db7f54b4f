/**
 * Pure index arithmetic for RFC 6962 / RFC 9162 Merkle trees.
 *
 * A *range* [lo, hi) is a run of leaves whose MTH is a proof element. A
 * *stored node* (level, index) is a perfect subtree covering leaves
 * [index << level, (index + 1) << level); storage keeps one hash per stored
 * node, so any range hash costs at most log2(n) reads.
 */
export interface LeafRange {
  readonly lo: number;
  readonly hi: number;
}

export interface NodeId {
  readonly level: number;
  readonly index: number;
}

/** Largest power of two strictly less than n (n >= 2), the RFC 6962 split point k. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** RFC 6962 s2.1.1 PATH(m, D[lo:hi]) as the list of ranges whose hashes form the proof. */
export function inclusionRanges(m: number, size: number): LeafRange[] {
  const out: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  const stack: LeafRange[] = [];
  while (hi - lo > 1) {
    const k = splitPoint(hi - lo);
    if (m - lo < k) {
      stack.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      stack.push({ lo, hi: lo + k });
      lo = lo + k;
    }
  }
  // PATH lists siblings from the leaf upwards; the descent pushed them top-down.
  for (let i = stack.length - 1; i >= 0; i--) out.push(stack[i] as LeafRange);
  return out;
}

/** RFC 6962 s2.1.2 PROOF(m, D[n]) = SUBPROOF(m, D[n], true), as ranges. */
export function consistencyRanges(m: number, size: number): LeafRange[] {
  const stack: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  let b = true;
  for (;;) {
    const n = hi - lo;
    const mm = m - lo;
    if (mm === n) {
      if (!b) stack.push({ lo, hi });
      break;
    }
    const k = splitPoint(n);
    if (mm <= k) {
      stack.push({ lo: lo + k, hi });
      hi = lo + k;
    } else {
      stack.push({ lo, hi: lo + k });
      lo = lo + k;
      b = false;
    }
  }
  // SUBPROOF appends the sibling after the recursive part: reverse the descent.
  return stack.reverse();
}

/**
 * The stored nodes whose hashes make up MTH(D[lo:hi]), left to right. Valid
 * for every range a proof can ask for: lo is a multiple of the largest power
 * of two not exceeding hi - lo.
 */
export function rangeNodes(r: LeafRange): NodeId[] {
  const out: NodeId[] = [];
  let lo = r.lo;
  while (lo < r.hi) {
    let level = 0;
    while (lo % 2 ** (level + 1) === 0 && lo + 2 ** (level + 1) <= r.hi) level++;
    out.push({ level, index: lo / 2 ** level });
    lo += 2 ** level;
  }
  return out;
}

/** The perfect subtrees (peaks) that make up a tree of the given size, left to right. */
export function peakNodes(size: number): NodeId[] {
  return size === 0 ? [] : rangeNodes({ lo: 0, hi: size });
}

/** The stored nodes completed by appending the leaf at `index` (levels >= 1). */
export function completedNodes(index: number): NodeId[] {
  const out: NodeId[] = [];
  for (let level = 1; (index + 1) % 2 ** level === 0; level++) {
    out.push({ level, index: (index + 1) / 2 ** level - 1 });
  }
  return out;
}
