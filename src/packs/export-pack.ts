import type { EvidenceIndex } from "../storage/evidence-index.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { LogStore } from "../storage/log-store.js";
import type { PackSource } from "./plan-pack.js";
import type { PackSelection } from "./select-artifacts.js";
import type { WrittenPack } from "./write-pack.js";

export interface ExportRequest {
  readonly selection: PackSelection;
  /** Also pack every provenance parent, recursively. */
  readonly includeDeps: boolean;
  /** PACK.tar.gz (or .tgz), or a directory that does not exist yet. */
  readonly output: string;
}

export interface ExportResult extends WrittenPack {
  readonly artifacts: readonly string[];
  readonly checkpoint: { readonly seq: number; readonly size: number };
}

/** The parts of an open locker an export uses (structurally, a Vigil). */
export interface ExportLocker {
  readonly log: LogStore;
  readonly blobs: BlobStore;
  readonly evidence: EvidenceIndex;
  readonly config: { readonly origin: string };
  readonly verifierKey: string;
}

/** `vigil export`: select, plan against the latest anchor, write atomically. */
export async function exportPack(locker: ExportLocker, req: ExportRequest): Promise<ExportResult> {
  // Loaded when a pack is written: `vigil verify --offline` loads this module with the other pack
  // commands and needs none of it (the planner, the selection, node-tar).
  const [{ selectArtifacts }, { planPack }, { writePack }] = await Promise.all([
    import("./select-artifacts.js"),
    import("./plan-pack.js"),
    import("./write-pack.js"),
  ]);
  const rows = await selectArtifacts(locker.evidence, req.selection, req.includeDeps);
  const src: PackSource = {
    log: locker.log,
    blobs: locker.blobs,
    evidence: locker.evidence,
    origin: locker.config.origin,
    verifierKey: locker.verifierKey,
  };
  const plan = await planPack(src, rows);
  const written = await writePack(plan, locker.blobs, req.output);
  return {
    ...written,
    artifacts: plan.manifest.artifacts.map((a) => a.id),
    checkpoint: { seq: plan.manifest.checkpoint.seq, size: plan.manifest.checkpoint.size },
  };
}
