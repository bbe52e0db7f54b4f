import { contentsPath, proofPath, recordPath } from "./pack-layout.js";
import { checkItem, type ContentsFacts } from "./artifact-checks.js";
import { Findings, type PackFinding } from "./findings.js";
import type { ManifestArtifact } from "./manifest.js";
import { InclusionBatch } from "../journal/inclusion-batch.js";

/** One artifact to check: its manifest position and entry, and its files (undefined or null: missing). */
export interface ArtifactItem {
  readonly i: number;
  readonly a: ManifestArtifact;
  /** Its paths follow the pack layout (so they can be derived from its leaf index and id). */
  readonly regular: boolean;
  readonly record: Buffer | null | undefined;
  readonly proof: Buffer | null | undefined;
  readonly contents: ContentsFacts | undefined;
}

/**
 * Findings that remember the manifest position of the artifact each is
 * about, so findings made out of order (on two threads) are added in the
 * order one pass over the manifest would have made them.
 */
export class PlacedFindings extends Findings {
  readonly positions: number[] = [];
  private current = 0;

  /** This collector, with findings placed at position i until the next call. */
  at(i: number): this {
    this.current = i;
    return this;
  }

  addAt(i: number, file: string, artifact: string | null, problem: string): void {
    this.at(i).add(file, artifact, problem);
  }

  override add(file: string, artifact: string | null, problem: string): void {
    super.add(file, artifact, problem);
    this.positions.push(this.current);
  }

  /** Takes placed findings (the worker's) as they are. */
  addPlaced(list: readonly PackFinding[], positions: readonly number[]): void {
    list.forEach((x, k) => this.addAt(positions[k] as number, x.file, x.artifact, x.problem));
  }

  /** Adds every finding to f by position; those at one position keep the order they were made in. */
  mergeInto(f: Findings): void {
    const order = this.positions.map((_, k) => k);
    order.sort((x, y) => (this.positions[x] as number) - (this.positions[y] as number) || x - y);
    for (const k of order) {
      const x = this.list[k] as PackFinding;
      f.add(x.file, x.artifact, x.problem);
    }
  }
}

/**
 * Regular artifacts handed to the artifact worker, in one message: what
 * checkItem needs of each, every record and proof copied into one
 * transferable blob (tens of thousands of small buffers would each be
 * cloned); the paths are derived again from the leaf index and id.
 */
export interface SharePayload {
  /** The checkpoint's tree, or null when it did not verify (proofs are then only parsed). */
  readonly tree: { readonly size: number; readonly root: Uint8Array } | null;
  /** Per artifact: its manifest position. */
  readonly positions: Int32Array;
  readonly ids: readonly string[];
  /** Per artifact: leaf index, size, contents size (-1: no contents file). */
  readonly nums: Float64Array;
  /** Per artifact: the contents file's SHA-256 ("" when there is none). */
  readonly sha256: readonly string[];
  /** Per artifact: record start and length, proof start and length in blob (length -1: missing). */
  readonly spans: Int32Array;
  readonly blob: Uint8Array;
}

/** The worker's findings, each with the manifest position of the artifact it is about. */
export interface ShareResult {
  readonly positions: readonly number[];
  readonly list: readonly PackFinding[];
}

export function encodeShare(items: readonly ArtifactItem[], tree: SharePayload["tree"]): SharePayload {
  const n = items.length;
  const positions = new Int32Array(n);
  const nums = new Float64Array(3 * n);
  const spans = new Int32Array(4 * n);
  let total = 0;
  for (const it of items) total += (it.record?.length ?? 0) + (it.proof?.length ?? 0);
  const blob = new Uint8Array(total);
  let at = 0;
  const put = (bytes: Buffer | null | undefined, k: number): void => {
    spans[k] = at;
    spans[k + 1] = bytes == null ? -1 : bytes.length;
    if (bytes == null) return;
    blob.set(bytes, at);
    at += bytes.length;
  };
  const ids = new Array<string>(n);
  const sha256 = new Array<string>(n);
  for (let k = 0; k < n; k++) {
    const it = items[k] as ArtifactItem;
    if (!it.regular) throw new Error("only artifacts that follow the pack layout are shared");
    positions[k] = it.i;
    ids[k] = it.a.id;
    sha256[k] = it.contents?.sha256 ?? "";
    nums[3 * k] = it.a.leafIndex;
    nums[3 * k + 1] = it.a.size;
    nums[3 * k + 2] = it.contents?.size ?? -1;
    put(it.record, 4 * k);
    put(it.proof, 4 * k + 2);
  }
  return { tree, positions, ids, nums, sha256, spans, blob };
}

/** What the worker does with a payload: checkItem for each artifact, as the main thread would. */
export function checkShare(p: SharePayload): ShareResult {
  const batch = p.tree === null ? null : new InclusionBatch(p.tree.size, p.tree.root);
  const blob = Buffer.from(p.blob.buffer, p.blob.byteOffset, p.blob.byteLength);
  const span = (k: number): Buffer | undefined => {
    const start = p.spans[k] as number;
    const length = p.spans[k + 1] as number;
    return length < 0 ? undefined : blob.subarray(start, start + length);
  };
  const placed = new PlacedFindings();
  for (let k = 0; k < p.ids.length; k++) {
    const id = p.ids[k] as string;
    const leafIndex = p.nums[3 * k] as number;
    const a: ManifestArtifact = {
      id,
      leafIndex,
      size: p.nums[3 * k + 1] as number,
      record: recordPath(leafIndex),
      proof: proofPath(leafIndex),
      contents: contentsPath(id.slice(7)),
    };
    const contentsSize = p.nums[3 * k + 2] as number;
    const contents = contentsSize < 0 ? undefined : { size: contentsSize, sha256: p.sha256[k] as string };
    checkItem(a, span(4 * k), span(4 * k + 2), contents, batch, placed.at(p.positions[k] as number));
  }
  return { positions: placed.positions, list: placed.list };
}
