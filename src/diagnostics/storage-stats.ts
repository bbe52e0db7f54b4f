import type { LockerPorts } from "../app/open-locker.js";
import type { DatabaseFootprint } from "../storage/index-maintenance.js";

export interface StorageStats {
  readonly artifacts: number;
  readonly bytes: number;
  readonly blobs: { inline: number; inlineBytes: number; files: number; fileBytes: number };
  readonly database: DatabaseFootprint;
  readonly journal: { entries: number; storedNodes: number; anchors: number };
}

/** Counts and sizes only: no kinds, names or other metadata values. */
export async function storageStats(v: LockerPorts): Promise<StorageStats> {
  const stats = await v.evidence.stats();
  const blobs = { inline: 0, inlineBytes: 0, files: 0, fileBytes: 0 };
  for await (const b of v.blobs.list()) {
    if (b.inline) {
      blobs.inline++;
      blobs.inlineBytes += b.size;
    } else {
      blobs.files++;
      blobs.fileBytes += b.size;
    }
  }
  const { database, storedNodes } = await v.maintenance.footprint();
  return {
    artifacts: stats.artifacts,
    bytes: stats.bytes,
    blobs,
    database,
    journal: {
      entries: await v.log.size(),
      storedNodes,
      anchors: (await v.log.listCheckpoints()).length,
    },
  };
}
