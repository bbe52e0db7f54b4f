import {
  buildConsistencyProof,
  buildInclusionProof,
  buildRoot,
  coalesceReads,
  verifyConsistency,
  verifyInclusion,
} from "../journal/index.js";
import { VigilError } from "../errors.js";
import type { LockerPorts } from "./open-locker.js";

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** An RFC 6962 inclusion proof (RFC 9162 §2.1.3), as `proof inclusion --json` prints it. */
export interface InclusionProofView {
  readonly v: 1;
  readonly type: "inclusion";
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly root: string;
  readonly proof: readonly string[];
}

/** An RFC 6962 consistency proof (RFC 9162 §2.1.4), as `proof consistency --json` prints it. */
export interface ConsistencyProofView {
  readonly v: 1;
  readonly type: "consistency";
  readonly size1: number;
  readonly size2: number;
  readonly root1: string;
  readonly root2: string;
  readonly proof: readonly string[];
}

/** Tree size to prove against: `size`, else the latest anchor's, else the journal's. */
export async function proofTreeSize(v: LockerPorts, size: number | undefined): Promise<number> {
  const [journal, latest] = await Promise.all([
    v.log.size(),
    size === undefined ? v.log.latestCheckpoint() : null,
  ]);
  const n = size ?? latest?.size ?? journal;
  if (n > journal)
    throw new VigilError("INPUT_INVALID", `tree size ${n} exceeds the journal size ${journal}`);
  return n;
}

function selfCheckFailed(): VigilError {
  return new VigilError("INTEGRITY_FAILURE", "the stored tree produced a proof that does not verify");
}

/** Proves leaf `leafIndex` is in the tree of `size`; the proof is checked before it is returned. */
export async function inclusionProof(
  v: LockerPorts,
  leafIndex: number,
  size: number,
): Promise<InclusionProofView> {
  if (leafIndex >= size)
    throw new VigilError("INPUT_INVALID", `leaf ${leafIndex} is not in a tree of size ${size}; anchor first`);
  const read = coalesceReads((ids) => v.log.readNodes(ids)); // the three reads below: one round trip
  const [[leaf], proof, root] = await Promise.all([
    read([{ level: 0, index: leafIndex }]),
    buildInclusionProof(leafIndex, size, read),
    buildRoot(size, read),
  ]);
  if (leaf === undefined || root === null || !verifyInclusion(leafIndex, size, leaf, proof, root))
    throw selfCheckFailed();
  return {
    v: 1,
    type: "inclusion",
    leafIndex,
    treeSize: size,
    leafHash: b64(leaf),
    root: b64(root),
    proof: proof.map(b64),
  };
}

/** Proves the tree of size `from` is a prefix of the tree of size `to` (1 <= from <= to <= journal). */
export async function consistencyProof(
  v: LockerPorts,
  from: number,
  to: number,
): Promise<ConsistencyProofView> {
  const size = await v.log.size();
  if (from < 1 || to > size || from > to)
    throw new VigilError("INPUT_INVALID", `need 1 <= from <= to <= ${size}, got from ${from}, to ${to}`);
  const read = coalesceReads((ids) => v.log.readNodes(ids)); // one round trip for the proof and both roots
  const [proof, r1, r2] = await Promise.all([
    buildConsistencyProof(from, to, read),
    buildRoot(from, read),
    buildRoot(to, read),
  ]);
  if (r1 === null || r2 === null || !verifyConsistency(from, to, r1, r2, proof)) throw selfCheckFailed();
  return {
    v: 1,
    type: "consistency",
    size1: from,
    size2: to,
    root1: b64(r1),
    root2: b64(r2),
    proof: proof.map(b64),
  };
}
