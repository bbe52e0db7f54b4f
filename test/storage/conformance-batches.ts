/**
 * Large batches, for every adapter (registered by runStorageConformance): on
 * PostgreSQL a batch of STAGE_MIN_ITEMS or more stages its entries and
 * contents rows before the append lock and copies them in under it
 * (pg-stage.ts); on SQLite it is just a large batch. Either way every entry,
 * contents row and index row must land at its own leaf, between smaller
 * batches written the direct way, and the tree must stay RFC 6962's.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { evidenceAdded, projectEvidence } from "../../src/domains/evidence/evidence-record.js";
import type { EvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { appendLeaves, EMPTY_FRONTIER, encodeRecord, frontierRoot } from "../../src/journal/index.js";
import type { AppendItem } from "../../src/storage/log-store.js";
import { STAGE_MIN_ITEMS } from "../../src/storage/postgres/pg-stage.js";
import type { WithStores } from "./conformance.js";

export function batchCases(
  withStores: WithStores,
  META: EvidenceMeta,
  item: (data: Buffer) => AppendItem,
): void {
  withStores("large batches land every entry, contents row and index row at its own leaf", async (s) => {
    const sizes = [3, STAGE_MIN_ITEMS, 1, STAGE_MIN_ITEMS * 3 + 5, STAGE_MIN_ITEMS - 1];
    const datas: Buffer[] = [];
    const all: AppendItem[] = [];
    for (const n of sizes) {
      const batch = Array.from({ length: n }, () => randomBytes(20 + Math.floor(Math.random() * 200)));
      const appended = batch.map(item);
      // One large artifact in the big batch: its row refers to staged contents, not inline bytes.
      if (n > STAGE_MIN_ITEMS) {
        const big = randomBytes(1024 * 1024 + 3);
        const staged = await s.blobs.stage(Readable.from([big]));
        await staged.commit();
        const record = evidenceAdded(staged.digest, staged.size, { ...META, name: "big" }, new Date(0));
        batch[7] = big;
        appended[7] = {
          encoded: encodeRecord(record),
          record,
          file: { digest: staged.digest, size: big.length },
        };
      }
      assert.deepEqual(await s.log.append(appended, projectEvidence), {
        first: all.length,
        size: all.length + n,
      });
      datas.push(...batch);
      all.push(...appended);
    }
    const entries = await s.log.readEntries(0, all.length + 1);
    assert.equal(entries.length, all.length);
    all.forEach((it, i) => {
      assert.equal(entries[i]?.index, i);
      assert.deepEqual(entries[i]?.bytes, it.encoded.bytes, `entry ${i}`);
      assert.deepEqual(entries[i]?.leafHash, it.encoded.leafHash, `leaf hash ${i}`);
    });
    for (const [i, it] of all.entries()) {
      const digest = (it.inline ?? it.file)?.digest as Buffer;
      const row = await s.evidence.retrieval(digest, "default");
      assert.equal(row?.leafIndex, i, `index row of leaf ${i}`);
      const got = Buffer.concat(await (await s.blobs.open(digest)).toArray());
      assert.deepEqual(got, datas[i], `contents of leaf ${i}`);
    }
    const expected = frontierRoot(
      appendLeaves(
        EMPTY_FRONTIER,
        all.map((i) => i.encoded.leafHash),
      ).frontier,
    );
    assert.deepEqual(await s.log.root(), Buffer.from(expected as Uint8Array));
  });
}
