import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Readable } from "node:stream";
import { buildConsistencyProof } from "../journal/index.js";
import { parseLockerConfig, type LockerConfig } from "../app/locker-config.js";
import { lockerPaths } from "../app/paths.js";
import { openLockerView, type LockerView } from "../app/vigil.js";
import { fsError, VigilError } from "../errors.js";
import type { LogEntry, StoredCheckpoint } from "../storage/log-reader.js";
import type { ContentRef, ReplicaSource, SourceIdentity } from "./replica-source.js";

/** A ReplicaSource over a locker directory, opened read-only (no key, no write, no migration). */
export class LockerSource implements ReplicaSource {
  readonly location: string;
  protected readonly config: LockerConfig;
  private readonly verifierKey: string;
  protected readonly view: LockerView;

  constructor(dir: string) {
    const p = lockerPaths(dir);
    this.location = resolve(dir);
    if (!existsSync(p.config))
      throw new VigilError("LOCKER_NOT_FOUND", `no locker at ${dir} to replicate from`);
    this.config = parseLockerConfig(read(p.config), p.config);
    if (this.config.databaseUrl !== undefined)
      throw new VigilError(
        "UNSUPPORTED",
        `locker ${dir} keeps its journal in PostgreSQL: only an embedded (SQLite) locker can be read as a source`,
      );
    this.verifierKey = this.config.replicaOf?.verifierKey ?? read(p.verifierKey).trim();
    this.view = openLockerView(p.database, p.blobs);
  }

  identity(): Promise<SourceIdentity> {
    const c = this.config;
    return Promise.resolve({
      origin: c.origin,
      verifierKey: this.verifierKey,
      inlineLimit: c.inlineLimit,
      retentionDays: c.retentionDays,
    });
  }

  checkpoints(): Promise<StoredCheckpoint[]> {
    return this.view.log.listCheckpoints();
  }

  latestCheckpoint(): Promise<StoredCheckpoint | null> {
    return this.view.log.latestCheckpoint();
  }

  readEntries(lo: number, hi: number): Promise<LogEntry[]> {
    return this.view.log.readEntries(lo, hi);
  }

  consistencyProof(m: number, n: number): Promise<Uint8Array[]> {
    return buildConsistencyProof(m, n, (ids) => this.view.log.readNodes(ids));
  }

  /** One range query per run of consecutive ids. */
  contentRefs(ids: readonly number[]): Promise<Map<number, ContentRef>> {
    const wanted = [...new Set(ids)].sort((a, b) => a - b);
    const out = new Map<number, ContentRef>();
    for (let i = 0; i < wanted.length;) {
      let j = i;
      while (j + 1 < wanted.length && wanted[j + 1] === (wanted[j] as number) + 1) j++;
      for (const r of this.view.lifecycle.blobRefs(wanted[i] as number, (wanted[j] as number) + 1))
        out.set(r.id, { digest: r.digest, size: r.size });
      i = j + 1;
    }
    return Promise.resolve(out);
  }

  openContents(digest: Buffer): Promise<Readable> {
    return this.view.blobs.open(digest);
  }

  close(): Promise<void> {
    return this.view.close();
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
}
