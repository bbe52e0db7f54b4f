import { closeSync, fdatasync, openSync } from "node:fs";
import { promisify } from "node:util";
import { fsError } from "../../errors.js";
import type { LogStore } from "../log-store.js";

const datasync = promisify(fdatasync);

/**
 * Durability off the event loop. With synchronous=NORMAL a WAL commit is
 * written to the -wal file but not flushed; an fdatasync of that file, run
 * in the thread pool, then makes it (and every commit before it) durable —
 * what synchronous=FULL does inside the commit, where it would block every
 * request for the length of the flush. SQLite syncs the WAL itself before
 * each checkpoint, and a WAL restarted after one carries new salts, so a
 * crash never replays what was not flushed. (sqlite.org/wal.html,
 * sqlite.org/pragma.html#pragma_synchronous)
 */
export class WalSync {
  private fd: number | null = null;

  constructor(
    private readonly database: string,
    private readonly wal = `${database}-wal`,
  ) {}

  /** Resolves once everything committed so far is on disk. */
  async sync(): Promise<void> {
    try {
      this.fd ??= openSync(this.wal, "r");
    } catch (e) {
      // No WAL (nothing written since the last connection closed): the database file holds it all.
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw fsError(this.wal, e, "cannot open");
      return this.syncFile(this.database);
    }
    await datasync(this.fd);
  }

  private async syncFile(path: string): Promise<void> {
    const fd = openSync(path, "r");
    try {
      await datasync(fd);
    } finally {
      closeSync(fd);
    }
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The log, acknowledging appends and checkpoints only once the WAL is flushed. */
export function flushedLog<L extends LogStore>(log: L, wal: WalSync): L {
  const after = <T>(p: Promise<T>): Promise<T> => p.then(async (r) => (await wal.sync(), r));
  return new Proxy(log, {
    get(target, prop) {
      if (prop === "append") return (...a: Parameters<LogStore["append"]>) => after(target.append(...a));
      if (prop === "addCheckpoint")
        return (...a: Parameters<LogStore["addCheckpoint"]>) => after(target.addCheckpoint(...a));
      if (prop === "close") return () => target.close().finally(() => wal.close());
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...x: unknown[]) => unknown).bind(target) : v;
    },
  });
}
