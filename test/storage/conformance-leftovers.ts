/**
 * BlobStore.removeLeftovers, for every adapter (registered by
 * runStorageConformance): what interrupted writes leave is removed once old
 * enough, and nothing a record refers to or is about to refer to.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { evidenceAdded, projectEvidence } from "../../src/domains/evidence/evidence-record.js";
import type { EvidenceMeta } from "../../src/domains/evidence/metadata.js";
import { encodeRecord, sha256 } from "../../src/journal/index.js";
import type { WithStores } from "./conformance.js";

export function leftoverCases(withStores: WithStores, META: EvidenceMeta): void {
  withStores(
    "removeLeftovers takes what interrupted writes left, spares what is referenced or recent",
    async (s) => {
      const large = () => randomBytes(1024 * 1024 + 5000); // past one chunk row on PostgreSQL
      const kept = await s.blobs.stage(Readable.from([large()]));
      await kept.commit();
      const record = evidenceAdded(kept.digest, kept.size, META, new Date(0));
      const file = { digest: kept.digest, size: kept.size };
      await s.log.append([{ encoded: encodeRecord(record), record, file }], projectEvidence);
      await s.blobs.stage(Readable.from([large()])); // died before its commit
      const unreferenced = await s.blobs.stage(Readable.from([large()]));
      await unreferenced.commit(); // died before its record
      const stalled = await s.blobs.stage(Readable.from([large()])); // still to be committed, too late
      assert.deepEqual(await s.blobs.removeLeftovers(new Date(Date.now() - 60_000)), [], "all recent: kept");
      const removed = await s.blobs.removeLeftovers(new Date(Date.now() + 60_000));
      assert.equal(removed.length, 3, removed.join("\n"));
      assert.ok(
        removed.some((r) => r.includes(unreferenced.digest.toString("hex"))),
        `names the unreferenced contents: ${removed.join("\n")}`,
      );
      assert.deepEqual(
        await s.blobs.removeLeftovers(new Date(Date.now() + 60_000)),
        [],
        "nothing left to remove",
      );
      assert.deepEqual(
        sha256(Buffer.concat(await (await s.blobs.open(kept.digest)).toArray())),
        kept.digest,
        "referenced contents are untouched",
      );
      await assert.rejects(
        stalled.commit(),
        /removed as a leftover/,
        "a removed staging run cannot be committed",
      );
      assert.equal(await s.blobs.stat(stalled.digest), null);
    },
  );

  withStores(
    "committing bytes again renews their unreferenced holder: a cleanup in between spares it",
    async (s) => {
      const data = randomBytes(1024 * 1024 + 10);
      await (await s.blobs.stage(Readable.from([data]))).commit(); // an upload that died before its record
      await new Promise((r) => setTimeout(r, 50));
      const cutoff = new Date();
      await new Promise((r) => setTimeout(r, 50));
      const again = await s.blobs.stage(Readable.from([data]));
      await again.commit(); // the same bytes, uploaded again
      assert.deepEqual(await s.blobs.removeLeftovers(cutoff), [], "the holder was just committed again");
      const record = evidenceAdded(again.digest, again.size, META, new Date(0));
      const file = { digest: again.digest, size: again.size };
      await s.log.append([{ encoded: encodeRecord(record), record, file }], projectEvidence);
      assert.deepEqual(Buffer.concat(await (await s.blobs.open(again.digest)).toArray()), data);
    },
  );
}
