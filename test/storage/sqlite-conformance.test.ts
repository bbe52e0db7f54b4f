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

/** The embedded adapters: SQLite log/index/inline blobs plus the filesystem blob directory. */
const sqlite: StoreFactory = {
  create() {
    const dir = join(mkdtempSync(join(tmpdir(), "vigil-conf-")), "locker");
    initLocker(dir, systemClock);
    let v = openVigil(dir);
    const view = (): Stores => ({ log: v.log, blobs: v.blobs, evidence: v.evidence });
    return Promise.resolve({
      ...view(),
      get log() {
        return v.log;
      },
      async reopen() {
        await v.close();
        v = openVigil(dir);
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
};

runStorageConformance("sqlite", sqlite);
runLifecycleConformance("sqlite", sqlite);
