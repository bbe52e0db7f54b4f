import {
  appendLeaves,
  EMPTY_FRONTIER,
  equalBytes,
  frontierRoot,
  leafHash,
  type Frontier,
} from "../journal/index.js";
import { VigilError } from "../errors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { LogStore } from "../storage/log-store.js";

/** Entries read back per round trip. */
const PAGE = 2048;

export interface CopyProof {
  /** Anchors whose size the copy's root was recomputed at and compared. */
  readonly anchors: number;
  /**
   * Archived anchors (an older chain segment, after `anchor new-chain`) that
   * differ from today's tree, as they do on the source: what verify reports
   * but does not fail.
   */
  readonly archivedDivergent: number;
  /** The copy's root at its full size (null for an empty journal). */
  readonly root: Buffer | null;
}

/** The source's stored tree, to compare the copy with. */
export interface SourceTree {
  rootAt(size: number): Buffer | null;
}

const refuse = (why: string) => new VigilError("INTEGRITY_FAILURE", why);

/**
 * Proves a copied journal: reads every entry back from the copy, rehashes it
 * and recomputes the tree from the leaves; at every anchor's size the root
 * must be the anchor's signed root, the source's root (from its stored
 * nodes) and the copy's own root from its stored nodes; at the full size the
 * last two must agree too. The first difference throws, naming the anchor
 * (checked before the source's tree, so a rewritten entry names the anchor
 * it breaks).
 */
export async function proveCopy(
  copy: LogStore,
  source: SourceTree,
  anchors: readonly StoredCheckpoint[],
  size: number,
  onProgress?: (done: number) => void,
): Promise<CopyProof> {
  const beyond = anchors.find((a) => a.size > size);
  if (beyond !== undefined)
    throw refuse(
      `source anchor ${beyond.seq} covers ${beyond.size} entries but the source journal holds ${size}`,
    );
  const current = anchors.reduce((m, a) => Math.max(m, a.segment), 0);
  const stops = [...new Set([...anchors.map((a) => a.size), size])].sort((a, b) => a - b);
  let frontier = EMPTY_FRONTIER;
  let archivedDivergent = 0;
  let root: Buffer | null = null;
  for (const stop of stops) {
    for (let lo = frontier.size; lo < stop; lo = frontier.size) {
      frontier = await readBack(copy, frontier, lo, Math.min(stop, lo + PAGE));
      onProgress?.(frontier.size);
    }
    root = await recomputedRoot(copy, frontier);
    const theirs = stop === 0 ? null : source.rootAt(stop);
    for (const a of anchors.filter((x) => x.size === stop))
      if (!anchorHolds(a, root, theirs, a.segment < current)) archivedDivergent++;
    if (root !== null && (theirs === null || !equalBytes(theirs, root)))
      throw refuse(
        `at size ${stop} the copy's root differs from the source's stored tree: the source's entries or nodes are damaged (run vigil verify --mode full on it)`,
      );
  }
  return { anchors: anchors.length, archivedDivergent, root };
}

/** Entries [lo, hi) of the copy, rehashed and added to the frontier. */
async function readBack(copy: LogStore, frontier: Frontier, lo: number, hi: number): Promise<Frontier> {
  const entries = await copy.readEntries(lo, hi);
  if (entries.length !== hi - lo) throw refuse(`the copy lacks entries ${lo}..${hi - 1}`);
  const hashes = entries.map((e, k) => {
    const h = leafHash(e.bytes);
    if (e.index !== lo + k || !equalBytes(h, e.leafHash))
      throw refuse(`the copy's entry ${lo + k} does not hash to its stored leaf hash`);
    return h;
  });
  return appendLeaves(frontier, hashes).frontier;
}

/** The root recomputed from the leaves, which must also be the copy's root from its stored nodes. */
async function recomputedRoot(copy: LogStore, frontier: Frontier): Promise<Buffer | null> {
  const recomputed = frontierRoot(frontier);
  if (recomputed === null) return null;
  const root = Buffer.from(recomputed);
  const stored = await copy.root(frontier.size);
  if (stored === null || !equalBytes(stored, root))
    throw refuse(`at size ${frontier.size} the copy's stored tree nodes do not match its entries`);
  return root;
}

/**
 * The copy's root at the anchor's size must be its signed root. An archived
 * anchor may differ, as it does on the source (false: a tolerated divergence).
 */
function anchorHolds(
  a: StoredCheckpoint,
  root: Buffer | null,
  theirs: Buffer | null,
  archived: boolean,
): boolean {
  if (root !== null && equalBytes(root, a.root)) return true;
  if (archived) return false;
  const sourceToo = theirs !== null && equalBytes(theirs, a.root) ? "" : " (nor does the source's)";
  throw refuse(
    `anchor ${a.seq} (size ${a.size}): the copied journal does not hash to the anchor's signed root${sourceToo}: the source is damaged or was rewritten (run vigil verify --mode full on it)`,
  );
}
