import {
  buildConsistencyProof,
  buildInclusionProof,
  leafHash,
  verifyConsistency,
  verifyInclusion,
  type JournalRecord,
  type NodeId,
} from "../journal/index.js";
import { formatArtifactId } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";
import { readRotations } from "../log/key-chain.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { EvidenceIndex } from "../storage/evidence-index.js";
import type { EvidenceRow } from "../storage/index-ops.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { LogStore } from "../storage/log-store.js";
import type { PackManifest } from "./manifest.js";
import { contentsPath, PACK_FORMAT, PACK_VERSION, proofPath, recordPath } from "./pack-layout.js";
import type { ChainFile, ChainLink, ProofFile } from "./pack-proofs.js";
import { listSome } from "./select-artifacts.js";

/** What an export reads from a locker: its journal, blobs, origin and verifier key. */
export interface PackSource {
  readonly log: Pick<LogStore, "readEntries" | "readNodes" | "latestCheckpoint" | "listCheckpoints">;
  readonly blobs: Pick<BlobStore, "open">;
  readonly evidence: Pick<EvidenceIndex, "lifecycle">;
  readonly origin: string;
  readonly verifierKey: string;
}

export interface PackedArtifact {
  readonly digest: Buffer;
  readonly leafIndex: number;
  readonly size: number;
  readonly record: Buffer;
  readonly proof: ProofFile;
}

/** Everything a pack holds except the contents bytes, which are streamed from the blob store. */
export interface PackPlan {
  readonly manifest: PackManifest;
  readonly note: string;
  /** The checkpoint's creation time: the only time in a pack (file mtimes), so exports repeat exactly. */
  readonly mtime: Date;
  readonly verifierKey: string;
  readonly chain: ChainFile;
  /** key.rotated records the checkpoint covers (none: no keys.json). */
  readonly rotations: readonly JournalRecord[];
  readonly artifacts: readonly PackedArtifact[];
}

/**
 * Plans a pack of `rows` against the latest anchor: every record must be
 * anchored and have its contents; proofs are built and checked here, so a
 * damaged locker fails the export instead of producing a bad pack.
 */
export async function planPack(src: PackSource, rows: readonly EvidenceRow[]): Promise<PackPlan> {
  const anchor = await src.log.latestCheckpoint();
  if (anchor === null)
    throw new VigilError("CONFLICT", "no anchors yet: run vigil anchor create, then export");
  const late = rows.filter((r) => r.leafIndex >= anchor.size);
  if (late.length > 0)
    throw new VigilError(
      "CONFLICT",
      `${late.length} artifact(s) not yet anchored (latest anchor ${anchor.seq} covers ${anchor.size} entries): ${listSome(late.map((r) => formatArtifactId(r.digest)))}; run vigil anchor create`,
    );
  await requireContents(src, rows);
  const artifacts: PackedArtifact[] = [];
  for (const row of rows) artifacts.push(await packArtifact(src, row, anchor));
  return {
    manifest: manifestOf(src.origin, anchor, artifacts),
    note: anchor.note,
    mtime: new Date(anchor.createdAt),
    verifierKey: src.verifierKey,
    chain: await chainTo(src, anchor),
    rotations: (await readRotations(src.log, anchor.size)).map((r) => r.record),
    artifacts,
  };
}

/** Expired (retention), marked-corrupted or missing contents cannot be packed: name them all. */
async function requireContents(src: PackSource, rows: readonly EvidenceRow[]): Promise<void> {
  const bad: string[] = [];
  for (const row of rows) {
    const why = await unavailable(src, row);
    if (why !== null) bad.push(`${formatArtifactId(row.digest)} (${why})`);
  }
  if (bad.length > 0)
    throw new VigilError("NOT_FOUND", `contents unavailable for ${bad.length} artifact(s): ${listSome(bad)}`);
}

async function unavailable(src: PackSource, row: EvidenceRow): Promise<string | null> {
  const state = (await src.evidence.lifecycle(row.leafIndex)).state?.state;
  if (state === "expired") return "expired by retention";
  if (state === "corrupted") return "marked corrupted";
  try {
    (await src.blobs.open(row.digest)).destroy();
    return null;
  } catch {
    return "missing";
  }
}

function reader(src: PackSource) {
  return (ids: readonly NodeId[]) => src.log.readNodes(ids);
}

async function packArtifact(
  src: PackSource,
  row: EvidenceRow,
  anchor: StoredCheckpoint,
): Promise<PackedArtifact> {
  const [entry] = await src.log.readEntries(row.leafIndex, row.leafIndex + 1);
  if (entry === undefined)
    throw new VigilError("STORAGE_CORRUPT", `journal entry ${row.leafIndex} is missing`);
  const leaf = leafHash(entry.bytes);
  const proof = await buildInclusionProof(row.leafIndex, anchor.size, reader(src));
  if (!verifyInclusion(row.leafIndex, anchor.size, leaf, proof, anchor.root))
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `the inclusion proof of leaf ${row.leafIndex} does not verify against anchor ${anchor.seq} (run: vigil verify --mode full)`,
    );
  return {
    digest: row.digest,
    leafIndex: row.leafIndex,
    size: row.size,
    record: entry.bytes,
    proof: {
      leafIndex: row.leafIndex,
      treeSize: anchor.size,
      leafHash: leaf,
      proof: proof.map((p) => Buffer.from(p)),
    },
  };
}

async function chainTo(src: PackSource, anchor: StoredCheckpoint): Promise<ChainFile> {
  const links: ChainLink[] = [];
  for (const a of await src.log.listCheckpoints()) {
    // Earlier chain segments ended in a declared break (anchor new-chain): nothing links them to this one.
    if (a.seq >= anchor.seq || a.segment !== anchor.segment) continue;
    const proof = await buildConsistencyProof(a.size, anchor.size, reader(src));
    if (!verifyConsistency(a.size, anchor.size, a.root, anchor.root, proof))
      throw new VigilError(
        "INTEGRITY_FAILURE",
        `anchor ${a.seq} is not consistent with anchor ${anchor.seq}`,
      );
    links.push({
      seq: a.seq,
      size: a.size,
      root: a.root,
      note: a.note,
      proof: proof.map((p) => Buffer.from(p)),
    });
  }
  return { treeSize: anchor.size, links };
}

function manifestOf(
  origin: string,
  anchor: StoredCheckpoint,
  artifacts: readonly PackedArtifact[],
): PackManifest {
  return {
    format: PACK_FORMAT,
    v: PACK_VERSION,
    origin,
    checkpoint: { seq: anchor.seq, size: anchor.size, root: anchor.root },
    artifacts: artifacts.map((a) => ({
      id: formatArtifactId(a.digest),
      leafIndex: a.leafIndex,
      size: a.size,
      record: recordPath(a.leafIndex),
      contents: contentsPath(a.digest.toString("hex")),
      proof: proofPath(a.leafIndex),
    })),
  };
}
