import { existsSync, readFileSync } from "node:fs";
import type { KeyFiles } from "../app/init-locker.js";
import { loadSigner, nextKeyPaths } from "../app/keys-file.js";
import type { LockerConfig } from "../app/locker-config.js";
import { lockerPaths } from "../app/paths.js";
import { assertOwnKey } from "../app/vigil.js";
import { fsError, VigilError } from "../errors.js";
import { LockerSource } from "../replica/locker-source.js";

/**
 * The embedded locker `vigil migrate` copies: a replica's LockerSource (the
 * database opened read-only, no migration, no key swap) plus what a
 * migration needs beyond it: the locker's identity and key files, its
 * stored tree roots and index state hash, and one read snapshot.
 */
export class MigrationSource extends LockerSource {
  /** The locker's own key files, copied to the migrated locker unchanged. */
  readonly keys: KeyFiles;

  /** Refuses a replica, a locker already on PostgreSQL, or one whose key rotation is unfinished. */
  constructor(dir: string) {
    super(dir);
    try {
      this.keys = ownKeyFiles(dir, this.config);
    } catch (e) {
      void this.close();
      throw e;
    }
  }

  get lockerConfig(): LockerConfig {
    return this.config;
  }

  size(): Promise<number> {
    return this.view.log.size();
  }

  /** The root of the first `size` leaves from the source's stored tree nodes. */
  rootAt(size: number): Buffer | null {
    return this.view.lifecycle.rootAt(size);
  }

  stateHash(): string {
    return this.view.maintenance.stateHash();
  }

  async indexLag(): Promise<number> {
    return (await this.view.maintenance.status()).lag;
  }

  /** `fn` on one read snapshot of the source's database, while its writers carry on. */
  snapshot<T>(fn: () => Promise<T>): Promise<T> {
    return this.view.lifecycle.snapshot(fn);
  }
}

/** The locker's own signing and verifier key files, checked as openVigil checks them but never changed. */
function ownKeyFiles(dir: string, config: LockerConfig): KeyFiles {
  if (config.replicaOf !== undefined)
    throw new VigilError(
      "UNSUPPORTED",
      `locker ${dir} is a replica of ${config.replicaOf.origin} (it holds no signing key): migrate its source instead`,
    );
  const paths = lockerPaths(dir);
  const next = nextKeyPaths(paths.signingKey, paths.verifierKey);
  if (existsSync(next.key) || existsSync(next.vkey))
    throw new VigilError(
      "CONFLICT",
      `locker ${dir} has an unfinished key rotation: run vigil key rotate on it first`,
    );
  assertOwnKey(loadSigner(paths.signingKey), config, paths);
  return { signerKey: read(paths.signingKey).trim(), verifierKey: read(paths.verifierKey).trim() };
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
}
