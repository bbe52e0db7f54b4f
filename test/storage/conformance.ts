/**
 * The storage port conformance suite (STYLE 5): every adapter of LogStore,
 * BlobStore and EvidenceIndex runs these same tests. The PostgreSQL adapter
 * (a later issue) registers itself with runStorageConformance like SQLite does.
 */
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import { test } from "node:test";
import {
  appendLeaves,
  buildConsistencyProof,
  buildInclusionProof,
  EMPTY_FRONTIER,
  encodeRecord,
  frontierRoot,
  verifyConsistency,
  verifyInclusion,
  type NodeId,
} from "../../src/journal/index.js";
import { evidenceAdded, projectEvidence } from "../../src/domains/evidence/evidence-record.js";
import type { EvidenceMeta } from "../../src/domains/evidence/metadata.js";
import type { BlobStore } from "../../src/storage/blob-store.js";
import type { EvidenceIndex } from "../../src/storage/evidence-index.js";
import type { AppendItem, LogStore } from "../../src/storage/log-store.js";
import type { IndexOp } from "../../src/storage/index-ops.js";
import { sha256 } from "../../src/journal/index.js";
import { batchCases } from "./conformance-batches.js";
import { leftoverCases } from "./conformance-leftovers.js";

export interface Stores {
  readonly log: LogStore;
  readonly blobs: BlobStore;
  readonly evidence: EvidenceIndex;
}

export interface StoreFactory {
  /** A fresh, empty set of stores. */
  create(): Promise<Stores & { reopen(): Promise<Stores>; destroy(): Promise<void> }>;
}

const META: EvidenceMeta = {
  tenant: "default",
  domain: "conf",
  subdomain: "general",
  name: "item",
  date: "2026-01-02",
  kind: "test",
  labels: { team: "sre" },
  retention: "operational",
  producer: null,
  parents: [],
  ext: ".json",
};

export function evidenceItem(data: Buffer, meta: EvidenceMeta = META): AppendItem {
  const digest = sha256(data);
  const record = evidenceAdded(digest, data.length, meta, new Date("2026-01-02T03:04:05.000Z"));
  return { encoded: encodeRecord(record), record, inline: { digest, data } };
}

function items(n: number): AppendItem[] {
  return Array.from({ length: n }, () => evidenceItem(randomBytes(16 + Math.floor(Math.random() * 64))));
}

/** Registers one conformance case on a fresh set of stores. */
export type WithStores = (
  name: string,
  fn: (s: Awaited<ReturnType<StoreFactory["create"]>>) => Promise<void>,
) => void;

export function runStorageConformance(adapter: string, factory: StoreFactory): void {
  const withStores: WithStores = (name, fn) =>
    void test(`${adapter}: ${name}`, async () => {
      const s = await factory.create();
      try {
        await fn(s);
      } finally {
        await s.destroy();
      }
    });

  withStores("an empty log has size 0, no root and no checkpoint", async (s) => {
    assert.equal(await s.log.size(), 0);
    assert.equal(await s.log.root(), null);
    assert.equal(await s.log.latestCheckpoint(), null);
    assert.deepEqual(await s.log.readEntries(0, 10), []);
  });

  withStores("appends assign consecutive indices and store bytes and leaf hashes", async (s) => {
    const a = items(5);
    const b = items(3);
    assert.deepEqual(await s.log.append(a, projectEvidence), { first: 0, size: 5 });
    assert.deepEqual(await s.log.append(b, projectEvidence), { first: 5, size: 8 });
    const entries = await s.log.readEntries(0, 100);
    assert.equal(entries.length, 8);
    [...a, ...b].forEach((item, i) => {
      assert.equal(entries[i]?.index, i);
      assert.deepEqual(entries[i]?.bytes, item.encoded.bytes);
      assert.deepEqual(entries[i]?.leafHash, item.encoded.leafHash);
    });
    assert.deepEqual(await s.log.readEntries(6, 7).then((e) => e.map((x) => x.index)), [6]);
  });

  withStores("the root equals an independent RFC 6962 computation at every size", async (s) => {
    const all = items(70);
    for (let i = 0; i < all.length; i += 9) await s.log.append(all.slice(i, i + 9), projectEvidence);
    for (const size of [1, 2, 3, 9, 16, 17, 63, 64, 70]) {
      const expected = frontierRoot(
        appendLeaves(
          EMPTY_FRONTIER,
          all.slice(0, size).map((x) => x.encoded.leafHash),
        ).frontier,
      );
      assert.deepEqual(await s.log.root(size), Buffer.from(expected as Uint8Array), `size ${size}`);
    }
  });

  withStores("proofs built from stored nodes verify, with O(log n) node reads", async (s) => {
    const all = items(300);
    await s.log.append(all.slice(0, 137), projectEvidence);
    await s.log.append(all.slice(137), projectEvidence);
    let reads = 0;
    const read = (ids: readonly NodeId[]) => {
      reads = Math.max(reads, ids.length);
      return s.log.readNodes(ids);
    };
    const root = (await s.log.root()) as Buffer;
    for (const m of [0, 1, 136, 137, 255, 256, 299]) {
      const proof = await buildInclusionProof(m, 300, read);
      assert.ok(verifyInclusion(m, 300, all[m]!.encoded.leafHash, proof, root), `leaf ${m}`);
    }
    for (const m of [1, 7, 137, 256, 299]) {
      const proof = await buildConsistencyProof(m, 300, read);
      assert.ok(verifyConsistency(m, 300, (await s.log.root(m)) as Buffer, root, proof), `from ${m}`);
    }
    assert.ok(reads <= 2 * Math.ceil(Math.log2(300)) + 2, `a proof read ${reads} nodes`);
  });

  withStores("a failing projection rolls the whole batch back", async (s) => {
    await s.log.append(items(2), projectEvidence);
    const boom = () => {
      throw new Error("projection failed");
    };
    await assert.rejects(s.log.append(items(4), boom));
    assert.equal(await s.log.size(), 2);
    assert.equal((await s.evidence.stats()).artifacts, 2);
    assert.deepEqual(await s.log.append(items(1), projectEvidence), { first: 2, size: 3 });
    const expected = frontierRoot(
      appendLeaves(
        EMPTY_FRONTIER,
        (await s.log.readEntries(0, 3)).map((e) => e.leafHash),
      ).frontier,
    );
    assert.deepEqual(await s.log.root(), Buffer.from(expected as Uint8Array));
  });

  withStores("concurrent appends never share or skip an index", async (s) => {
    const batches = Array.from({ length: 8 }, () => items(5));
    const results = await Promise.all(batches.map((b) => s.log.append(b, projectEvidence)));
    const firsts = results.map((r) => r.first).sort((x, y) => x - y);
    assert.deepEqual(firsts, [0, 5, 10, 15, 20, 25, 30, 35]);
    assert.equal(await s.log.size(), 40);
  });

  withStores("checkpoints are kept in chain order", async (s) => {
    await s.log.append(items(3), projectEvidence);
    const root = (await s.log.root()) as Buffer;
    const a = await s.log.addCheckpoint({
      size: 3,
      root,
      note: "note-1\n",
      createdAt: "2026-01-01T00:00:00.000Z",
    });
    const b = await s.log.addCheckpoint({
      size: 3,
      root,
      note: "note-2\n",
      createdAt: "2026-01-01T00:00:01.000Z",
    });
    assert.deepEqual([a.seq, b.seq], [1, 2]);
    assert.deepEqual(
      (await s.log.listCheckpoints()).map((c) => c.note),
      ["note-1\n", "note-2\n"],
    );
    assert.equal((await s.log.getCheckpoint(1))?.note, "note-1\n");
    assert.equal(await s.log.getCheckpoint(3), null);
    assert.equal((await s.log.latestCheckpoint())?.seq, 2);
  });

  withStores("asking for a node beyond the tree is a storage error, not a wrong hash", async (s) => {
    await s.log.append(items(4), projectEvidence);
    await assert.rejects(s.log.readNodes([{ level: 0, index: 4 }]), /missing/);
    await assert.rejects(s.log.readNodes([{ level: 3, index: 0 }]), /missing/);
  });

  withStores("data survives closing and reopening", async (s) => {
    const all = items(10);
    await s.log.append(all, projectEvidence);
    const root = await s.log.root();
    const again = await s.reopen();
    assert.equal(await again.log.size(), 10);
    assert.deepEqual(await again.log.root(), root);
    assert.deepEqual(await again.log.append(items(1), projectEvidence), { first: 10, size: 11 });
  });

  withStores(
    "the same contents in two tenants are two artifacts, each visible only in its tenant",
    async (s) => {
      const data = randomBytes(64);
      const digest = sha256(data);
      await s.log.append([evidenceItem(data, { ...META, tenant: "acme" })], projectEvidence);
      assert.equal(await s.evidence.get(digest, "globex"), null, "another tenant sees nothing");
      assert.equal(await s.evidence.identity(digest, "default"), null);
      await s.log.append(
        [evidenceItem(data, { ...META, tenant: "globex", name: "theirs" })],
        projectEvidence,
      );
      assert.equal((await s.evidence.get(digest, "acme"))?.leafIndex, 0);
      const theirs = await s.evidence.get(digest, "globex");
      assert.equal(theirs?.leafIndex, 1);
      assert.equal(theirs?.tenant, "globex");
      assert.equal(theirs?.name, "theirs");
      const ids = await s.evidence.identities([
        { tenant: "acme", digest },
        { tenant: "initech", digest },
      ]);
      assert.deepEqual([...ids.keys()], [`acme/${digest.toString("hex")}`]);
      assert.equal((await s.evidence.retrieval(digest, "acme"))?.leafIndex, 0);
      assert.equal((await s.evidence.retrieval(digest, "globex"))?.leafIndex, 1);
      assert.deepEqual((await s.evidence.retrieval(digest, "globex"))?.inline, data);
      assert.equal(await s.evidence.retrieval(digest, "initech"), null, "another tenant sees nothing");
      assert.deepEqual(
        (await s.evidence.list({ tenant: "globex" })).map((r) => r.leafIndex),
        [1],
      );
      assert.equal((await s.evidence.list({})).length, 2, "no tenant filter: every tenant (local admin)");
      assert.equal((await s.evidence.stats("globex")).artifacts, 1);
      assert.equal((await s.evidence.stats("globex")).bytes, 64);
      assert.equal((await s.evidence.stats("initech")).artifacts, 0);
      assert.deepEqual((await s.evidence.stats("initech")).byKind, []);
      assert.equal((await s.evidence.stats()).artifacts, 2);
    },
  );

  withStores("inline contents are readable by digest and the evidence index finds them", async (s) => {
    const data = randomBytes(100);
    const item = evidenceItem(data, { ...META, labels: { env: "prod" } });
    await s.log.append([item], projectEvidence);
    const digest = sha256(data);
    assert.deepEqual(await s.blobs.stat(digest), { digest, size: 100, inline: true });
    assert.deepEqual(Buffer.concat(await (await s.blobs.open(digest)).toArray()), data);
    const row = await s.evidence.get(digest, "default");
    assert.equal(row?.leafIndex, 0);
    assert.deepEqual(row?.labels, { env: "prod" });
    assert.equal((await s.evidence.list({ labels: { env: "prod" } })).length, 1);
    assert.equal((await s.evidence.list({ labels: { env: "dev" } })).length, 0);
    assert.equal(await s.blobs.stat(randomBytes(32)), null);
    assert.deepEqual(await s.evidence.retrieval(digest, "default"), {
      leafIndex: 0,
      state: null,
      inline: data,
    });
    assert.equal(await s.evidence.retrieval(randomBytes(32), "default"), null);
  });

  withStores("large contents stream through a staged file, visible only once committed", async (s) => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const staged = await s.blobs.stage(Readable.from([data.subarray(0, 1000), data.subarray(1000)]));
    assert.deepEqual(staged.digest, sha256(data));
    assert.equal(staged.size, data.length);
    await staged.commit();
    const record = evidenceAdded(staged.digest, staged.size, META, new Date(0));
    await s.log.append(
      [{ encoded: encodeRecord(record), record, file: { digest: staged.digest, size: staged.size } }],
      projectEvidence,
    );
    assert.equal((await s.blobs.stat(staged.digest))?.inline, false);
    assert.deepEqual(
      await s.evidence.retrieval(staged.digest, "default"),
      { leafIndex: 0, state: null, inline: null },
      "no inline contents: they are streamed",
    );
    assert.deepEqual(
      sha256(Buffer.concat(await (await s.blobs.open(staged.digest)).toArray())),
      staged.digest,
    );
  });

  withStores("release keeps large contents another row still refers to, and is safe to repeat", async (s) => {
    const data = randomBytes(200 * 1024);
    const add = async (tenant: string) => {
      const staged = await s.blobs.stage(Readable.from([data]));
      await staged.commit();
      const record = evidenceAdded(staged.digest, staged.size, { ...META, tenant }, new Date(0));
      const file = { digest: staged.digest, size: staged.size };
      return (await s.log.append([{ encoded: encodeRecord(record), record, file }], projectEvidence)).first;
    };
    const digest = sha256(data);
    const [a, b] = [await add("a"), await add("b")];
    const drop = async (leaf: number) => {
      const record = { type: "test.marker", v: 1 };
      await s.log.append([{ encoded: encodeRecord(record), record, dropContents: leaf }], projectEvidence);
    };
    await drop(a);
    await s.blobs.release(digest);
    await s.blobs.release(digest);
    assert.deepEqual(
      Buffer.concat(await (await s.blobs.open(digest)).toArray()),
      data,
      "tenant b's row holds them",
    );
    await drop(b);
    await s.blobs.release(digest);
    assert.equal(await s.blobs.stat(digest), null);
    // Once freed, the same bytes can be stored (and read) again.
    await add("c");
    assert.deepEqual(Buffer.concat(await (await s.blobs.open(digest)).toArray()), data);
  });

  leftoverCases(withStores, META);
  batchCases(withStores, META, (data) => evidenceItem(data));

  withStores("a discarded staged file leaves nothing behind", async (s) => {
    const staged = await s.blobs.stage(Readable.from([randomBytes(5000)]));
    await staged.discard();
    assert.equal(await s.blobs.stat(staged.digest), null);
    const listed = [];
    for await (const b of s.blobs.list()) listed.push(b);
    assert.equal(listed.length, 0);
  });
}

/** Lifecycle projections (holds, expiry, corruption) and the retention query, for every adapter. */
export function runLifecycleConformance(adapter: string, factory: StoreFactory): void {
  void test(`${adapter}: holds and artifact states follow their index writes; retention skips held and expired`, async () => {
    const s = await factory.create();
    try {
      const old = evidenceItem(randomBytes(40), { ...META, date: "2019-01-01" });
      const held = evidenceItem(randomBytes(40), { ...META, date: "2019-01-02" });
      const young = evidenceItem(randomBytes(40), { ...META, date: "2026-01-01" });
      await s.log.append([old, held, young], projectEvidence);
      const fact = (evidenceLeaf: number, recordLeaf: number) => ({
        evidenceLeaf,
        reason: "r",
        at: "2026-01-01T00:00:00.000Z",
        recordLeaf,
      });
      const marker = (ops: IndexOp[]): AppendItem => {
        const record = { type: "test.marker", v: 1 };
        return { encoded: encodeRecord(record), record, ops: () => ops };
      };
      await s.log.append([marker([{ op: "hold.put", fact: fact(1, 3) }])], projectEvidence);
      assert.deepEqual((await s.evidence.lifecycle(1)).hold, fact(1, 3));
      const heldRead = await s.evidence.retrieval(held.inline?.digest as Buffer, "default");
      assert.deepEqual(
        heldRead,
        { leafIndex: 1, state: null, inline: held.inline?.data },
        "a hold is no state",
      );
      const due = await s.evidence.retentionCandidates("operational", "2020-01-01", 10);
      assert.deepEqual(
        due.map((d) => d.leafIndex),
        [0],
      );
      await s.log.append(
        [{ ...marker([{ op: "state.put", state: "expired", fact: fact(0, 4) }]), dropContents: 0 }],
        projectEvidence,
      );
      assert.equal((await s.evidence.lifecycle(0)).state?.state, "expired");
      assert.equal(await s.blobs.stat(old.inline?.digest as Buffer), null, "expired contents are gone");
      assert.deepEqual(await s.evidence.retrieval(old.inline?.digest as Buffer, "default"), {
        leafIndex: 0,
        state: { state: "expired", fact: fact(0, 4) },
        inline: null,
      });
      await s.log.append(
        [marker([{ op: "state.put", state: "corrupted", fact: fact(2, 5) }])],
        projectEvidence,
      );
      assert.deepEqual(
        await s.evidence.retrieval(young.inline?.digest as Buffer, "default"),
        { leafIndex: 2, state: { state: "corrupted", fact: fact(2, 5) }, inline: young.inline?.data },
        "corrupted contents are still read",
      );
      assert.deepEqual(await s.evidence.retentionCandidates("operational", "2020-01-01", 10), []);
      await s.log.append([marker([{ op: "hold.delete", evidenceLeaf: 1 }])], projectEvidence);
      assert.equal((await s.evidence.lifecycle(1)).hold, null);
      assert.deepEqual(
        (await s.evidence.retentionCandidates("operational", "2020-01-01", 10)).map((d) => d.leafIndex),
        [1],
      );
    } finally {
      await s.destroy();
    }
  });
}
