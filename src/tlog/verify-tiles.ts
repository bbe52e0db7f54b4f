import {
  CheckpointFormatError,
  equalBytes,
  NoteFormatError,
  openNote,
  parseCheckpoint,
  tilesForSize,
  toHex,
  type Checkpoint,
  type Verifier,
} from "../journal/index.js";
import { TileDir } from "./tile-dir.js";
import type { TileSource } from "./tile-source.js";
import { parentTiles } from "./tile-hashes.js";
import { ProblemList, type TileProblem } from "./tile-problems.js";
import { readHashTile } from "./tile-read.js";
import { checkBottom } from "./verify-bottom.js";

export type { TileProblem } from "./tile-problems.js";

export interface TileVerifyResult {
  readonly ok: boolean;
  /** Tree size of the checkpoint (0 when the checkpoint itself could not be trusted). */
  readonly size: number;
  /** Root hash claimed by the checkpoint, hex ("" when it could not be trusted). */
  readonly root: string;
  readonly tilesChecked: number;
  readonly bundlesChecked: number;
  readonly firstBad?: TileProblem;
  readonly problems: readonly TileProblem[];
}

/** A signed note is small; a cap keeps a hostile directory from feeding us gigabytes. */
const MAX_CHECKPOINT_BYTES = 1 << 20;

/**
 * Verify a log published in the C2SP tlog-tiles layout
 * (https://c2sp.org/tlog-tiles), ours or anyone's: the checkpoint's signature
 * (C2SP signed-note) and body (C2SP tlog-checkpoint), every entry bundle and
 * hash tile the checkpoint's size needs, and the RFC 6962 root. Integrity
 * failures are reported in the result, naming the first bad file; this only
 * throws on a bug. Holds the leaf hashes (32 bytes per entry), not the entries.
 */
export async function verifyTileDir(
  dir: string,
  verifier: Verifier,
  origin?: string,
): Promise<TileVerifyResult> {
  return verifyTiles(await TileDir.open(dir), verifier, origin);
}

/** verifyTileDir over any TileSource: a directory, a served log (HttpTiles), the live store. */
export async function verifyTiles(
  files: TileSource,
  verifier: Verifier,
  origin?: string,
): Promise<TileVerifyResult> {
  const problems = new ProblemList();
  const cp = await readCheckpoint(files, verifier, problems);
  if (cp === null) return result(problems, { size: 0, root: "", tilesChecked: 0, bundlesChecked: 0 });
  if (origin !== undefined && cp.origin !== origin) {
    problems.checkpoint(`origin is ${JSON.stringify(cp.origin)}, expected ${JSON.stringify(origin)}`);
  }
  const bottom = await checkBottom(files, cp.size, cp.root, problems);
  const upper = bottom.level0 === null ? 0 : await checkUpper(files, cp.size, bottom.level0, problems);
  return result(problems, {
    size: cp.size,
    root: toHex(cp.root),
    tilesChecked: bottom.tilesChecked + upper,
    bundlesChecked: bottom.bundlesChecked,
  });
}

async function readCheckpoint(
  files: TileSource,
  verifier: Verifier,
  problems: ProblemList,
): Promise<Checkpoint | null> {
  const r = await files.read("checkpoint", MAX_CHECKPOINT_BYTES);
  if ("problem" in r) {
    problems.checkpoint(r.problem);
    return null;
  }
  const note = decodeUtf8(r.bytes);
  if (note === null) {
    problems.checkpoint("is not valid UTF-8");
    return null;
  }
  try {
    return parseCheckpoint(openNote(note, [verifier]).text);
  } catch (e) {
    if (!(e instanceof NoteFormatError || e instanceof CheckpointFormatError)) throw e;
    problems.checkpoint(e.message);
    return null;
  }
}

function decodeUtf8(bytes: Buffer): string | null {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    return null;
  }
}

/**
 * Levels 1 and up: each hash of a level-L tile must be the MTH of one full
 * level-(L-1) tile (tile height 8, so a level-8L tree node). Expected tiles are
 * derived from the trusted level-0 hashes, so one bad tile does not taint the
 * ones above it. Returns how many tiles were read.
 */
async function checkUpper(
  files: TileSource,
  size: number,
  level0: Buffer[],
  problems: ProblemList,
): Promise<number> {
  const refs = tilesForSize(size);
  let expected = level0;
  let checked = 0;
  for (let level = 1; refs.some((t) => t.level === level); level++) {
    expected = parentTiles(expected);
    for (const ref of refs.filter((t) => t.level === level)) {
      if (problems.stopIfFull()) return checked;
      const want = expected[ref.index];
      if (want === undefined) throw new Error(`bug: no expected hashes for tile ${level}/${ref.index}`);
      const got = await readHashTile(files, level, ref, problems);
      checked++;
      if (got !== null && !equalBytes(got, want)) {
        problems.tile(level, ref.index, ref.width, `hashes disagree with the level-${level - 1} tiles below`);
      }
    }
  }
  return checked;
}

function result(
  problems: ProblemList,
  fields: Pick<TileVerifyResult, "size" | "root" | "tilesChecked" | "bundlesChecked">,
): TileVerifyResult {
  const list = problems.sorted();
  const firstBad = list[0];
  return {
    ok: firstBad === undefined,
    ...fields,
    ...(firstBad === undefined ? {} : { firstBad }),
    problems: list,
  };
}
