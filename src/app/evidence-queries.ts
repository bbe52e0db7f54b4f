import { rowSummary } from "../domains/evidence/evidence-service.js";
import { formatArtifactId } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";
import type { EvidenceRow } from "../storage/index-ops.js";
import type { LockerPorts } from "./open-locker.js";

/** An artifact's row in its tenant, or NOT_FOUND (the same answer whether it is elsewhere or nowhere). */
export async function requireArtifact(v: LockerPorts, digest: Buffer, tenant: string): Promise<EvidenceRow> {
  const row = await v.evidence.get(digest, tenant);
  if (row === null) throw new VigilError("NOT_FOUND", `no artifact ${formatArtifactId(digest)}`);
  return row;
}

/** What `evidence inspect` shows: metadata, journal position, where the bytes live, lifecycle. */
export async function inspectArtifact(v: LockerPorts, row: EvidenceRow) {
  const blob = await v.blobs.stat(row.digest);
  const life = await v.evidence.lifecycle(row.leafIndex);
  return {
    ...rowSummary(row),
    storage: blob === null ? "missing" : blob.inline ? "inline" : "file",
    hold: life.hold === null ? null : { reason: life.hold.reason, at: life.hold.at },
    state: life.state === null ? "ok" : life.state.state,
    stateReason: life.state?.fact.reason ?? null,
  };
}
