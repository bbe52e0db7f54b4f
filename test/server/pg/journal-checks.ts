/** Checks on a journal written by several server processes at once. */
import assert from "node:assert/strict";
import type { Locker } from "../../../src/app/open-locker.js";
import { decodeRecord } from "../../../src/journal/index.js";
import { vigil } from "../../crash/crash-helpers.js";

/**
 * Every acknowledged artifact has exactly one evidence.added record, indices
 * are 0..size-1 without a gap, and every anchor covers a prefix of it.
 */
export async function assertJournalSound(l: Locker, acked: readonly string[]): Promise<void> {
  const size = await l.log.size();
  const entries = await l.log.readEntries(0, size);
  assert.deepEqual(
    entries.map((e) => e.index),
    Array.from({ length: size }, (_, i) => i),
    "leaves are gap-free",
  );
  const added = new Map<string, number>();
  for (const e of entries) {
    const r = decodeRecord(e.bytes);
    if (r.type === "evidence.added" && typeof r.digest === "string")
      added.set(r.digest, (added.get(r.digest) ?? 0) + 1);
  }
  for (const id of acked) assert.equal(added.get(id), 1, `${id} recorded exactly once`);
  const anchors = await l.log.listCheckpoints();
  assert.ok(
    anchors.every((a, i) => a.seq === i + 1 && a.size <= size),
    "anchors numbered 1..n within the log",
  );
}

/** A locker at `data` keeping its journal in the database at `url`, and an admin token for it. */
export function pgLockerWithAdmin(data: string, url: string): string {
  assert.equal(vigil(data, "init", "--database-url", url).status, 0);
  const tok = vigil(data, "--json", "token", "create", "--role", "admin", "--name", "t");
  assert.equal(tok.status, 0, tok.stderr);
  return (JSON.parse(tok.stdout) as { token: string }).token;
}
