import { storageStats } from "../diagnostics/storage-stats.js";
import type { LockerPorts } from "./open-locker.js";

/**
 * What `vigil status` shows. With `tenant`, the artifact counts are that
 * tenant's; the journal and its anchors are one log shared by every tenant.
 */
export async function lockerStatus(v: LockerPorts, tenant?: string) {
  const size = await v.log.size();
  const anchor = await v.log.latestCheckpoint();
  const stats = await v.evidence.stats(tenant);
  const index = await v.maintenance.status();
  return {
    lockerId: v.config.lockerId,
    origin: v.config.origin,
    ...(tenant === undefined ? {} : { tenant }),
    journalSize: size,
    artifacts: stats.artifacts,
    bytes: stats.bytes,
    indexLag: index.lag,
    latestAnchor:
      anchor === null
        ? null
        : { seq: anchor.seq, size: anchor.size, createdAt: anchor.createdAt, unanchored: size - anchor.size },
  };
}

/** `storage stats`: the diagnostics counts plus the per-kind breakdown, of the whole locker. */
export async function fullStorageStats(v: LockerPorts) {
  const base = await storageStats(v);
  return { ...base, byKind: (await v.evidence.stats()).byKind, journalSize: base.journal.entries };
}

/**
 * Storage stats for a token of one tenant: its own artifacts, bytes and
 * kinds, and the shared journal's size; nothing about blobs, the database
 * or other tenants.
 */
export async function tenantStorageStats(v: LockerPorts, tenant: string) {
  const s = await v.evidence.stats(tenant);
  const entries = await v.log.size();
  return { tenant, artifacts: s.artifacts, bytes: s.bytes, byKind: s.byKind, journalSize: entries };
}
