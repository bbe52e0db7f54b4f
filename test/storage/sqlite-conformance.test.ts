import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";
import { initLocker } from "../../src/app/init-locker.js";
import { openVigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import {
  runLifecycleConformance,
  runStorageConformance,
  type StoreFactory,
  type Stores,
} from "./conformance.js";

/**
 * The embedded adapters: SQLite log/index/inline blobs plus the filesystem
 * blob directory; `offLoop` as the server opens them (commits flushed by
 * WalSync in the thread pool).
 */
const sqliteWith = (offLoop: boolean): StoreFactory => ({
  create() {
    const dir = join(mkdtempSync(join(tmpdir(), "vigil-conf-")), "locker");
    initLocker(dir, systemClock);
    const open = () => openVigil(dir, { flushOffLoop: offLoop });
    let v = open();
    const view = (): Stores => ({ log: v.log, blobs: v.blobs, evidence: v.evidence });
    return Promise.resolve({
      ...view(),
      get log() {
        return v.log;
      },
      async reopen() {
        await v.close();
        v = open();
        return view();
      },
      async destroy() {
        await v.close();
        // Nothing may be left in the staging directory by any test.
        assert.deepEqual(readdirSync(join(dir, "blobs", "tmp")), []);
        rmSync(join(dir, ".."), { recursive: true, force: true });
      },
    });
  },
});

runStorageConformance("sqlite", sqliteWith(false));
runLifecycleConformance("sqlite", sqliteWith(false));
runStorageConformance("sqlite, flushed off the event loop", sqliteWith(true));
runLifecycleConformance("sqlite, flushed off the event loop", sqliteWith(true));
