import type { Readable } from "node:stream";
import {
  decodeRecord,
  equalBytes,
  leafHash,
  sha256,
  type EncodedRecord,
  type JournalRecord,
} from "../journal/index.js";
import { isVigilError, VigilError } from "../errors.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { LogEntry } from "../storage/log-reader.js";
import type { AppendItem } from "../storage/log-store.js";
import { contentEffects, type ContentEffect } from "./content-effects.js";
import type { ContentRef, ReplicaSource } from "./replica-source.js";

/** Records per append transaction (savepoint) on the follower. */
const BATCH = 512;

export interface CopyStats {
  entries: number;
  contents: number;
  bytes: number;
  /** Artifacts whose contents the source could not supply intact (missing or damaged there). */
  readonly contentsMissing: string[];
}

interface Checked {
  readonly encoded: EncodedRecord;
  readonly record: JournalRecord;
}

/**
 * Where copied records go: a replica's SQLite journal (replicate.ts) or a
 * migration's PostgreSQL one (migrate/). `append` projects the index rows.
 */
export interface CopyTarget {
  /** Contents up to this many bytes are copied inline, larger ones staged in `blobs`. */
  readonly inlineLimit: number;
  readonly blobs: Pick<BlobStore, "stage">;
  size(): Promise<number>;
  append(items: readonly AppendItem[]): Promise<unknown>;
  /** True when large contents with this digest are held already (not copied again). */
  holdsLarge(digest: Buffer): Promise<boolean>;
}

/**
 * Copies the source's records verbatim (same bytes, so the same leaf
 * indices and roots) with their contents, rehashing everything it receives.
 * It notes the large contents it staged (`created`) and the contents rows
 * expiry records removed (`dropped`), for the target to tidy its files.
 */
export class EntryCopier {
  readonly stats: CopyStats = { entries: 0, contents: 0, bytes: 0, contentsMissing: [] };
  /** Digests of large contents this copier staged and committed. */
  readonly created: Buffer[] = [];
  /** Digests whose contents rows copied expiry records removed. */
  readonly dropped: Buffer[] = [];

  constructor(
    private readonly target: CopyTarget,
    private readonly source: ReplicaSource,
  ) {}

  /** Copies the source's entries from the target's size up to `size`, one batch per append. */
  async copyTo(size: number, onProgress?: (copied: number) => void): Promise<void> {
    for (let lo = await this.target.size(); lo < size;) {
      const hi = Math.min(size, lo + BATCH);
      await this.copyBatch(lo, hi);
      lo = hi;
      onProgress?.(hi);
    }
  }

  private async copyBatch(lo: number, hi: number): Promise<void> {
    const entries = await this.source.readEntries(lo, hi);
    if (entries.length !== hi - lo)
      throw new VigilError(
        "INTEGRITY_FAILURE",
        `source ${this.source.location} lacks entries ${lo}..${hi - 1}`,
      );
    const checked = entries.map((e, k) => this.check(e, lo + k));
    const effects = checked.map((c) => contentEffects(c.record));
    const ids = [
      ...entries.map((e) => e.index),
      ...effects.flatMap((e) => (e.restore === undefined ? [] : [e.restore])),
    ];
    const refs = await this.source.contentRefs(ids);
    const items: AppendItem[] = [];
    for (let k = 0; k < checked.length; k++)
      items.push(await this.item(checked[k] as Checked, lo + k, refs, effects[k] ?? {}));
    await this.target.append(items);
    this.stats.entries += items.length;
  }

  private check(e: LogEntry, index: number): Checked {
    const refuse = (why: string) =>
      new VigilError(
        "INTEGRITY_FAILURE",
        `source entry ${index} ${why}: the source is damaged or rewritten; refusing`,
      );
    if (e.index !== index) throw refuse(`came back as entry ${e.index}`);
    const leaf = leafHash(e.bytes);
    if (!equalBytes(leaf, e.leafHash)) throw refuse("hashes differently from its stored leaf hash");
    try {
      return { encoded: { bytes: e.bytes, leafHash: leaf }, record: decodeRecord(e.bytes) };
    } catch (err) {
      throw refuse(`is not a canonical record (${(err as Error).message})`);
    }
  }

  private async item(
    c: Checked,
    index: number,
    refs: Map<number, ContentRef>,
    eff: ContentEffect,
  ): Promise<AppendItem> {
    const base: AppendItem = { encoded: c.encoded, record: c.record };
    if (eff.drop !== undefined) {
      this.dropped.push(eff.drop.digest);
      return { ...base, dropContents: eff.drop.leaf };
    }
    const own = refs.get(index);
    const ref = own ?? (eff.restore === undefined ? undefined : refs.get(eff.restore));
    const contents = ref === undefined ? null : await this.fetch(ref);
    if (contents === null) return base;
    return own === undefined ? { ...base, ...contents, blobId: eff.restore } : { ...base, ...contents };
  }

  /** The contents, rehashed; null (and noted) when the source cannot supply them intact. */
  private async fetch(ref: ContentRef): Promise<Pick<AppendItem, "inline" | "file"> | null> {
    const { digest, size } = ref;
    const limit = this.target.inlineLimit;
    if (size > limit && (await this.target.holdsLarge(digest))) return { file: { digest, size } };
    const stream = await this.open(digest);
    if (stream === null) return null;
    if (size <= limit) {
      const data = await readAll(stream);
      if (!equalBytes(sha256(data), digest)) return this.missing(digest);
      this.count(data.length);
      return { inline: { digest, data } };
    }
    const staged = await this.target.blobs.stage(stream);
    if (!equalBytes(staged.digest, digest)) {
      await staged.discard();
      return this.missing(digest);
    }
    await staged.commit();
    this.created.push(digest);
    this.count(staged.size);
    return { file: { digest, size: staged.size } };
  }

  private async open(digest: Buffer): Promise<Readable | null> {
    try {
      return await this.source.openContents(digest);
    } catch (e) {
      if (isVigilError(e) && (e.code === "NOT_FOUND" || e.code === "STORAGE_CORRUPT"))
        return this.missing(digest);
      throw e;
    }
  }

  private missing(digest: Buffer): null {
    this.stats.contentsMissing.push(`sha256:${digest.toString("hex")}`);
    return null;
  }

  private count(bytes: number): void {
    this.stats.contents++;
    this.stats.bytes += bytes;
  }
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}
