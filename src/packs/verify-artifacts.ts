import type { Checkpoint } from "../journal/checkpoint.js";
import { InclusionBatch } from "../journal/inclusion-batch.js";
import { checkItem } from "./artifact-checks.js";
import type { ArtifactHelper } from "./artifact-helper.js";
import { encodeShare, PlacedFindings, type ArtifactItem } from "./artifact-share.js";
import type { Findings } from "./findings.js";
import type { ManifestArtifact, PackManifest } from "./manifest.js";
import type { PackFiles } from "./pack-files.js";
import { contentsPath, MANIFEST, proofPath, recordPath } from "./pack-layout.js";

/**
 * The manifest-level checks of the artifacts, in manifest order (listed
 * twice, paths off the layout; each finding placed at its artifact's
 * position), and the artifacts left to check with their files.
 */
class ArtifactPlanner {
  private readonly ids = new Set<string>();
  private readonly leaves = new Set<number>();
  private next = 0;
  /** How many distinct pack files the artifacts planned so far name (null: unknown, as paths are irregular). */
  referenced: number | null = 0;

  constructor(
    private readonly files: PackFiles,
    private readonly m: PackManifest,
    private readonly placed: PlacedFindings,
  ) {}

  /** Plans the artifacts from the last one planned up to position `to` (exclusive). */
  upTo(to: number): ArtifactItem[] {
    const items: ArtifactItem[] = [];
    for (; this.next < Math.min(to, this.m.artifacts.length); this.next++) {
      const item = this.plan(this.next, this.m.artifacts[this.next] as ManifestArtifact);
      if (item !== null) items.push(item);
    }
    return items;
  }

  private plan(i: number, a: ManifestArtifact): ArtifactItem | null {
    if (this.ids.has(a.id) || this.leaves.has(a.leafIndex)) {
      this.placed.addAt(i, MANIFEST, a.id, `lists leaf ${a.leafIndex} or this artifact twice`);
      return null;
    }
    this.ids.add(a.id);
    this.leaves.add(a.leafIndex);
    const regular =
      a.record === recordPath(a.leafIndex) &&
      a.proof === proofPath(a.leafIndex) &&
      a.contents === contentsPath(a.id.slice(7));
    if (!regular) {
      this.placed.addAt(
        i,
        MANIFEST,
        a.id,
        `file paths do not follow the pack layout for leaf ${a.leafIndex}`,
      );
      this.referenced = null;
    }
    const record = this.files.get(a.record);
    const proof = this.files.get(a.proof);
    const contents = this.files.get(a.contents);
    if (this.referenced !== null) this.referenced += Number(!!record) + Number(!!proof) + Number(!!contents);
    return { i, a, regular, record: record?.bytes, proof: proof?.bytes, contents };
  }
}

/** The checkpoint's tree, against which every proof is verified; null when the checkpoint did not verify. */
const batchOf = (cp: Checkpoint | null): InclusionBatch | null =>
  cp === null ? null : new InclusionBatch(cp.size, cp.root);

/** Checks items on this thread, each finding placed at its artifact's position. */
function checkItems(
  items: readonly ArtifactItem[],
  batch: InclusionBatch | null,
  placed: PlacedFindings,
): void {
  for (const it of items) checkItem(it.a, it.record, it.proof, it.contents, batch, placed.at(it.i));
}

/**
 * Share of a large pack's artifacts handed to the helper: the first ones, so
 * it starts on them while this thread plans the rest (and checks them).
 */
const HELPER_SHARE = 0.5;

/**
 * Each artifact's record, proof and contents: with a helper, a large pack's
 * first half is checked on its thread while this one checks the rest.
 * Returns how many distinct pack files the artifacts named, or null when
 * irregular paths make that unknown.
 */
export async function checkArtifacts(
  files: PackFiles,
  m: PackManifest,
  cp: Checkpoint | null,
  f: Findings,
  helper: ArtifactHelper | null,
): Promise<number | null> {
  const placed = new PlacedFindings();
  const planner = new ArtifactPlanner(files, m, placed);
  const batch = batchOf(cp);
  const n = m.artifacts.length;
  const head = helper === null || n < helper.minArtifacts ? [] : planner.upTo(Math.floor(n * HELPER_SHARE));
  // Only artifacts on the layout travel (the worker derives their paths); the others stay here.
  const shared = head.filter((it) => it.regular);
  const pending =
    shared.length === 0 ? null : helper?.check(encodeShare(shared, cp && { size: cp.size, root: cp.root }));
  checkItems(
    head.filter((it) => !it.regular),
    batch,
    placed,
  );
  checkItems(planner.upTo(n), batch, placed);
  if (pending != null) {
    const result = await pending;
    if (result === null) checkItems(shared, batch, placed);
    else placed.addPlaced(result.list, result.positions);
  }
  placed.mergeInto(f);
  return planner.referenced;
}
