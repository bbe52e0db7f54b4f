import { join } from "node:path";

/** The embedded locker's layout inside its data directory. */
export function lockerPaths(dataDir: string) {
  return {
    dataDir,
    config: join(dataDir, "vigil.json"),
    database: join(dataDir, "vigil.db"),
    blobs: join(dataDir, "blobs"),
    keys: join(dataDir, "keys"),
    signingKey: join(dataDir, "keys", "signing.key"),
    verifierKey: join(dataDir, "keys", "signing.vkey"),
    /** Default home of `vigil backup create` (never part of a backup itself). */
    backups: join(dataDir, "backups"),
  };
}

export type LockerPaths = ReturnType<typeof lockerPaths>;
