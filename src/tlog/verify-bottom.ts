import { bundlesForSize, entryBundlePath, equalBytes, hashTilePath, type TileRef } from "../journal/index.js";
import type { TileSource } from "./tile-source.js";
import { StreamingRoot } from "./tile-hashes.js";
import type { ProblemList } from "./tile-problems.js";
import { readBundleLeaves, readHashTile } from "./tile-read.js";

export interface BottomResult {
  /**
   * The level-0 tiles the levels above are checked against: the leaf hashes
   * of the entries, or of the level-0 tiles where those won the blame. Null
   * when neither reproduces the checkpoint root (nothing above can be judged).
   */
  readonly level0: Buffer[] | null;
  readonly bundlesChecked: number;
  readonly tilesChecked: number;
}

/** What one pass over the bundles and level-0 tiles saw. */
interface Scan {
  readonly refs: TileRef[];
  /** Leaf hashes of each bundle's entries (null: bundle unusable, already reported). */
  readonly fromEntries: (Buffer | null)[];
  /** Level-0 tiles that disagree with their bundle, or whose bundle is unusable. */
  readonly fromTiles: Map<number, Buffer>;
  /** Root over the entries' leaf hashes (null: a bundle was unusable or the scan stopped). */
  readonly entriesRoot: Buffer | null;
  /** Every level-0 tile was read and the right length (their root is computed only if needed). */
  readonly tilesWhole: boolean;
}

/**
 * Read every entry bundle and its level-0 tile side by side, then decide
 * which side is wrong where they differ: the side that reproduces the
 * checkpoint root is trusted, the other is named.
 */
export async function checkBottom(
  files: TileSource,
  size: number,
  root: Uint8Array,
  problems: ProblemList,
): Promise<BottomResult> {
  const scan = await scanBottom(files, size, problems);
  const level0 = blame(scan, root, problems);
  const n = scan.fromEntries.length;
  return { level0, bundlesChecked: n, tilesChecked: n };
}

async function scanBottom(files: TileSource, size: number, problems: ProblemList): Promise<Scan> {
  const refs = bundlesForSize(size);
  const fromEntries: (Buffer | null)[] = [];
  const fromTiles = new Map<number, Buffer>();
  const entries = new StreamingRoot();
  let [entriesWhole, tilesWhole] = [true, true];
  for (const ref of refs) {
    if (problems.stopIfFull()) break;
    const leaves = await readBundleLeaves(files, ref, problems);
    const tile = await readHashTile(files, 0, ref, problems);
    fromEntries.push(leaves);
    if (leaves === null) entriesWhole = false;
    else entries.add(leaves);
    if (tile === null) tilesWhole = false;
    if (tile !== null && (leaves === null || !equalBytes(leaves, tile))) fromTiles.set(ref.index, tile);
  }
  const complete = fromEntries.length === refs.length;
  return {
    refs,
    fromEntries,
    fromTiles,
    entriesRoot: complete && entriesWhole ? entries.root() : null,
    tilesWhole: complete && tilesWhole,
  };
}

/** Root over the level-0 tiles: each equals its bundle's leaf hashes unless kept in fromTiles. */
function tilesRoot(scan: Scan): Buffer {
  const root = new StreamingRoot();
  scan.fromEntries.forEach((leaves, i) => root.add(scan.fromTiles.get(i) ?? (leaves as Buffer)));
  return root.root();
}

function blame(scan: Scan, root: Uint8Array, problems: ProblemList): Buffer[] | null {
  const entriesOk = scan.entriesRoot !== null && equalBytes(scan.entriesRoot, root);
  // The common case (entries reproduce the root) never hashes the tiles a second time.
  const tilesOk = !entriesOk && scan.tilesWhole && equalBytes(tilesRoot(scan), root);
  for (const [index, tile] of scan.fromTiles) {
    const ref = scan.refs[index] as TileRef;
    // An unusable bundle is already reported; only a disagreement needs a verdict.
    if (scan.fromEntries[index] !== null) reportDisagreement(ref, entriesOk, tilesOk, problems);
    if (tilesOk) scan.fromEntries[index] = tile;
  }
  if (entriesOk || tilesOk) return scan.fromEntries as Buffer[];
  // Nothing more can be said when neither side is complete: the missing files are named.
  if (scan.entriesRoot !== null || scan.tilesWhole) {
    // Entries and tiles agree yet miss the root: the checkpoint is what is wrong.
    // Otherwise the named files explain it, and this note sorts after them.
    const msg = "root hash is reproduced by neither the entry bundles nor the level-0 tiles";
    problems.checkpoint(msg, problems.count > 0);
  }
  return null;
}

function reportDisagreement(ref: TileRef, entriesOk: boolean, tilesOk: boolean, problems: ProblemList): void {
  const bundle = entryBundlePath(ref.index, ref.width);
  const tile = hashTilePath(0, ref.index, ref.width);
  if (entriesOk)
    problems.tile(0, ref.index, ref.width, `disagrees with ${bundle}, whose entries reproduce the root`);
  else if (tilesOk)
    problems.bundle(ref.index, ref.width, `disagrees with ${tile}, which reproduces the root`);
  else {
    problems.bundle(ref.index, ref.width, `disagrees with ${tile}; neither reproduces the root`);
    problems.tile(0, ref.index, ref.width, `disagrees with ${bundle}; neither reproduces the root`);
  }
}
