import { statSync } from "node:fs";
import type { Vigil } from "../app/vigil.js";

export interface StorageStats {
  readonly artifacts: number;
  readonly bytes: number;
  readonly blobs: { inline: number; inlineBytes: number; files: number; fileBytes: number };
  readonly database: { bytes: number; walBytes: number; pageSize: number; pages: number; freePages: number };
  readonly journal: { entries: number; storedNodes: number; anchors: number };
}

/** Counts and sizes only: no kinds, names or other metadata values. */
export async function storageStats(v: Vigil): Promise<StorageStats> {
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
  return {
    artifacts: stats.artifacts,
    bytes: stats.bytes,
    blobs,
    database: {
      bytes: fileSize(v.paths.database),
      walBytes: fileSize(`${v.paths.database}-wal`),
      ...v.maintenance.pageStats(),
    },
    journal: {
      entries: await v.log.size(),
      storedNodes: v.log.storedNodeCount(),
      anchors: (await v.log.listCheckpoints()).length,
    },
  };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
