import { encodeRecord } from "../../journal/index.js";
import type { Clock } from "../../clock.js";
import { VigilError } from "../../errors.js";
import type { TenantDigest, EvidenceIndex, RetentionCandidate } from "../../storage/evidence-index.js";
import type { EvidenceRow } from "../../storage/index-ops.js";
import type { AppendItem, LogStore, Projector } from "../../storage/log-store.js";
import { lifecycleRecord, type LifecycleType } from "./lifecycle-records.js";
import { formatArtifactId } from "./metadata.js";

export interface LifecycleDeps {
  readonly log: LogStore;
  readonly evidence: EvidenceIndex;
  readonly clock: Clock;
  readonly project: Projector;
}

async function requireArtifact(deps: LifecycleDeps, key: TenantDigest): Promise<EvidenceRow> {
  const { digest, tenant } = key;
  const row = await deps.evidence.get(digest, tenant);
  if (row === null) throw new VigilError("NOT_FOUND", `no artifact ${formatArtifactId(digest)}`);
  return row;
}

export function requireReason(reason: string | undefined): string {
  if (
    reason === undefined ||
    reason.trim() === "" ||
    reason.length > 500 ||
    [...reason].some((c) => c < " ")
  ) {
    throw new VigilError("INPUT_INVALID", "--reason is required: one line of at most 500 characters");
  }
  return reason;
}

async function appendLifecycle(
  deps: LifecycleDeps,
  type: LifecycleType,
  row: EvidenceRow,
  reason: string,
  extra: Partial<AppendItem> = {},
  source?: string,
): Promise<number> {
  const record = lifecycleRecord(
    type,
    { digest: formatArtifactId(row.digest), leaf: row.leafIndex },
    reason,
    deps.clock.now(),
    source ? { source } : {},
  );
  const { first } = await deps.log.append(
    [{ encoded: encodeRecord(record), record, ...extra }],
    deps.project,
  );
  return first;
}

/** A legal hold: the artifact's contents survive retention until released. */
export async function hold(
  deps: LifecycleDeps,
  key: TenantDigest,
  reason: string | undefined,
): Promise<number> {
  const why = requireReason(reason);
  const row = await requireArtifact(deps, key);
  const digest = key.digest;
  const life = await deps.evidence.lifecycle(row.leafIndex);
  if (life.hold !== null)
    throw new VigilError("CONFLICT", `${formatArtifactId(digest)} is already on hold (${life.hold.reason})`);
  if (life.state?.state === "expired")
    throw new VigilError(
      "CONFLICT",
      `${formatArtifactId(digest)} has already expired; its contents are gone`,
    );
  return appendLifecycle(deps, "evidence.held", row, why);
}

export async function release(
  deps: LifecycleDeps,
  key: TenantDigest,
  reason: string | undefined,
): Promise<number> {
  const why = requireReason(reason);
  const row = await requireArtifact(deps, key);
  const digest = key.digest;
  if ((await deps.evidence.lifecycle(row.leafIndex)).hold === null)
    throw new VigilError("CONFLICT", `${formatArtifactId(digest)} is not on hold`);
  return appendLifecycle(deps, "evidence.released", row, why);
}

/** Records an integrity incident; the contents are kept for forensics. */
export async function markCorrupted(
  deps: LifecycleDeps,
  key: TenantDigest,
  reason: string | undefined,
): Promise<number> {
  const why = requireReason(reason);
  const row = await requireArtifact(deps, key);
  const digest = key.digest;
  const state = (await deps.evidence.lifecycle(row.leafIndex)).state;
  if (state !== null)
    throw new VigilError("CONFLICT", `${formatArtifactId(digest)} is already marked ${state.state}`);
  return appendLifecycle(deps, "evidence.corrupted", row, why);
}

/** Records restored contents (same digest, checked by the caller) and clears the corrupted state. */
export async function recordRecovery(
  deps: LifecycleDeps,
  row: EvidenceRow,
  source: string,
  contents: Partial<AppendItem>,
): Promise<number> {
  return appendLifecycle(
    deps,
    "evidence.recovered",
    row,
    `contents restored from ${source}`,
    { ...contents, blobId: row.leafIndex },
    source,
  );
}

/** Expired, unheld artifacts, per retention class, as of `today` (YYYY-MM-DD). */
export async function retentionDue(
  evidence: EvidenceIndex,
  retentionDays: Readonly<Record<string, number | null>>,
  today: Date,
  limit = 100_000,
): Promise<RetentionCandidate[]> {
  const out: RetentionCandidate[] = [];
  for (const [retention, days] of Object.entries(retentionDays)) {
    if (days === null) continue;
    const before = new Date(today.getTime() - days * 86_400_000).toISOString().slice(0, 10);
    out.push(...(await evidence.retentionCandidates(retention, before, limit - out.length)));
  }
  return out;
}

/**
 * Appends an evidence.expired record for each candidate, removing inline
 * contents in the same transaction; returns the digests whose contents are
 * files, for the caller to unlink after the commit.
 */
export async function expire(
  deps: LifecycleDeps,
  due: readonly RetentionCandidate[],
  fileDigests: (d: RetentionCandidate) => Promise<boolean>,
): Promise<Buffer[]> {
  const at = deps.clock.now();
  const items: AppendItem[] = due.map((c) => {
    const record = lifecycleRecord(
      "evidence.expired",
      { digest: formatArtifactId(c.digest), leaf: c.leafIndex },
      `retention class ${c.retention} ran out`,
      at,
      { retention: c.retention },
    );
    return { encoded: encodeRecord(record), record, dropContents: c.leafIndex };
  });
  const files: Buffer[] = [];
  for (const c of due) if (await fileDigests(c)) files.push(c.digest);
  await deps.log.append(items, deps.project);
  return files;
}
