import {
  equalBytes,
  openNote,
  parseCheckpoint,
  verifiersFor,
  verifyConsistency,
  type KeyChain,
  type Verifier,
} from "../journal/index.js";
import { VigilError } from "../errors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { ReplicaSource } from "./replica-source.js";

/** What a follower trusts: the origin and key it was created for, never what the source says now. */
export interface Pinned {
  readonly origin: string;
  readonly verifier: Verifier;
  /** The source's key chain (key.rotated records) from the pinned key: which key signs which size. */
  readonly keys?: KeyChain;
}

/**
 * The source's checkpoints the follower does not hold yet, each checked
 * before anything is written: signed by the pinned key for the pinned
 * origin, its body equal to its row, and consistent with the one before it
 * (starting from the follower's latest) by a proof built from the source's
 * nodes. The first failure throws; a source that rewrote history is refused.
 */
export async function acceptCheckpoints(
  source: ReplicaSource,
  pinned: Pinned,
  mine: StoredCheckpoint | null,
): Promise<StoredCheckpoint[]> {
  const theirs = await source.checkpoints();
  checkLinkPoint(source, mine, theirs);
  const fresh = theirs.filter((c) => c.seq > (mine?.seq ?? 0));
  let previous = mine;
  for (const c of fresh) {
    checkSigned(pinned, c);
    if (previous !== null) await checkConsistent(source, previous, c);
    previous = c;
  }
  return fresh;
}

/** The source must still hold the anchor the follower last took from it, unchanged. */
function checkLinkPoint(
  source: ReplicaSource,
  mine: StoredCheckpoint | null,
  theirs: StoredCheckpoint[],
): void {
  if (mine === null) return;
  const same = theirs.find((c) => c.seq === mine.seq);
  if (same === undefined || same.size !== mine.size || !equalBytes(same.root, mine.root))
    throw new VigilError(
      "PROOF_INVALID",
      `source ${source.location} no longer holds anchor ${mine.seq} as this replica has it (size ${mine.size}): it rewrote its history; refusing to follow`,
    );
}

function checkSigned(pinned: Pinned, c: StoredCheckpoint): void {
  let body;
  try {
    const keys = pinned.keys === undefined ? [pinned.verifier] : verifiersFor(pinned.keys, c.size);
    body = parseCheckpoint(openNote(c.note, keys).text);
  } catch (e) {
    throw new VigilError(
      "PROOF_INVALID",
      `source anchor ${c.seq} is not signed by the key this replica follows (${(e as Error).message}); refusing`,
    );
  }
  if (body.origin !== pinned.origin || body.size !== c.size || !equalBytes(body.root, c.root))
    throw new VigilError(
      "PROOF_INVALID",
      `source anchor ${c.seq}: its signed body does not match its origin, size or root; refusing`,
    );
}

async function checkConsistent(
  source: ReplicaSource,
  previous: StoredCheckpoint,
  c: StoredCheckpoint,
): Promise<void> {
  const refuse = (why: string) =>
    new VigilError(
      "PROOF_INVALID",
      `source anchor ${c.seq} (size ${c.size}) ${why} anchor ${previous.seq} (size ${previous.size}): the source rewrote its history; refusing to follow`,
    );
  if (c.size < previous.size) throw refuse("is smaller than");
  let proof: Uint8Array[];
  try {
    proof = await source.consistencyProof(previous.size, c.size);
  } catch (e) {
    throw refuse(`has no consistency proof (${(e as Error).message}) from`);
  }
  if (!verifyConsistency(previous.size, c.size, previous.root, c.root, proof))
    throw refuse("is not consistent with");
}
