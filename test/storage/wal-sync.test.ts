/**
 * WalSync / flushedLog: with synchronous=NORMAL the server acknowledges an
 * append only after the WAL is flushed. What a bug would break: resolving
 * before the flush (acknowledged but not durable), or a flush that misses
 * the checkpoint path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { initLocker } from "../../src/app/init-locker.js";
import { projectAll } from "../../src/app/projection.js";
import { openVigil } from "../../src/app/vigil.js";
import { systemClock } from "../../src/clock.js";
import { SqliteLogStore } from "../../src/storage/sqlite/sqlite-log-store.js";
import { openDatabase } from "../../src/storage/sqlite/open-database.js";
import { flushedLog, WalSync } from "../../src/storage/sqlite/wal-sync.js";
import { evidenceItem } from "./conformance.js";

/** A WalSync whose flushes finish only when the test says so. */
class HeldSync extends WalSync {
  readonly held: (() => void)[] = [];
  override async sync(): Promise<void> {
    await new Promise<void>((r) => this.held.push(r));
    return super.sync();
  }
}

function locker() {
  const root = mkdtempSync(join(tmpdir(), "vigil-walsync-"));
  const dir = join(root, "locker");
  initLocker(dir, systemClock);
  return { root, db: join(dir, "vigil.db"), dir };
}

void test("an append resolves only after its flush, and the flush is of the -wal file SQLite wrote", async () => {
  const { root, dir } = locker();
  const v = openVigil(dir);
  const file = v.paths.database;
  await v.close();
  const db = openDatabase(file, { create: false, synchronous: "NORMAL" });
  assert.equal(db.pragma("synchronous", { simple: true }), 1); // NORMAL
  const wal = new HeldSync(file);
  const log = flushedLog(new SqliteLogStore(db), wal);
  let done = false;
  const p = log.append([evidenceItem(Buffer.from("held"))], projectAll).then((r) => ((done = true), r));
  while (wal.held.length === 0) await new Promise((r) => setImmediate(r));
  await new Promise((r) => setTimeout(r, 20));
  assert.equal(done, false, "acknowledged before the WAL was flushed");
  assert.equal(await log.size(), 1, "the commit itself happened (readers see it)");
  assert.ok(statSync(`${file}-wal`).size > 0);
  wal.held.shift()?.();
  assert.equal((await p).size, 1);
  const cp = log.addCheckpoint({
    size: 1,
    root: (await log.root()) as Buffer,
    note: "n",
    createdAt: new Date().toISOString(),
  });
  while (wal.held.length === 0) await new Promise((r) => setImmediate(r));
  wal.held.shift()?.();
  assert.equal((await cp).seq, 1);
  await log.close();
  rmSync(root, { recursive: true, force: true });
});

void test("the server's opening flushes off the loop (NORMAL) and every other opening commits with FULL", async () => {
  const { root, dir } = locker();
  const off = openVigil(dir, { flushOffLoop: true });
  await off.log.append([evidenceItem(Buffer.from("a"))], projectAll);
  assert.equal(await off.log.size(), 1);
  await off.close();
  const full = openVigil(dir);
  assert.equal(await full.log.size(), 1, "what was flushed is there after reopening");
  await full.close();
  const db = openDatabase(join(dir, "vigil.db"), { create: false });
  assert.equal(db.pragma("synchronous", { simple: true }), 2); // FULL
  db.close();
  rmSync(root, { recursive: true, force: true });
});
