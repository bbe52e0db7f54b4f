import {
  appendLeaves,
  ed25519Signer,
  ed25519Verifier,
  EMPTY_FRONTIER,
  EMPTY_ROOT,
  formatCheckpoint,
  frontierRoot,
  leafHash,
  signNote,
  type NodeId,
  type Signer,
  type Verifier,
} from "../../src/journal/index.js";
import type { LogEntry, LogReader, StoredCheckpoint } from "../../src/storage/log-reader.js";

/** A fixed test key: the seed is public, so never use it for anything real. */
export const ORIGIN = "vigil.test/tiles";
export const SIGNER: Signer = ed25519Signer(ORIGIN, Buffer.alloc(32, 7));
export const VERIFIER: Verifier = ed25519Verifier(SIGNER.name, SIGNER.publicKey);

/** Entry i: varied lengths, including empty entries, so bundle offsets are not all alike. */
export function entryBytes(i: number): Buffer {
  return i % 97 === 0 ? Buffer.alloc(0) : Buffer.from(`entry ${i} `.repeat(1 + (i % 5)), "utf8");
}

/** The signed note for the tree with these leaf hashes, as a log would store it. */
export function signedCheckpoint(leaves: readonly Buffer[], root?: Uint8Array): string {
  const r = root ?? frontierRoot(appendLeaves(EMPTY_FRONTIER, leaves).frontier) ?? EMPTY_ROOT;
  return signNote(formatCheckpoint({ origin: ORIGIN, size: leaves.length, root: r, rest: "" }), [SIGNER]);
}

/**
 * An in-memory LogReader: entries, their leaf hashes, the stored nodes that
 * appendLeaves reports, and a checkpoint over the first `checkpointSize`
 * entries (none when null).
 */
export function memoryLog(
  entries: readonly Buffer[],
  checkpointSize: number | null = entries.length,
): LogReader {
  const leaves = entries.map((e) => leafHash(e));
  const nodes = new Map<string, Buffer>();
  leaves.forEach((h, index) => nodes.set(key({ level: 0, index }), h));
  for (const n of appendLeaves(EMPTY_FRONTIER, leaves).nodes) nodes.set(key(n), Buffer.from(n.hash));
  const checkpoint = checkpointSize === null ? null : stored(leaves.slice(0, checkpointSize));
  return {
    size: () => Promise.resolve(entries.length),
    readEntries: (start, end) => {
      const out: LogEntry[] = [];
      for (let i = start; i < Math.min(end, entries.length); i++) {
        out.push({ index: i, bytes: entries[i] as Buffer, leafHash: leaves[i] as Buffer });
      }
      return Promise.resolve(out);
    },
    readNodes: (ids) => Promise.resolve(ids.map((id) => must(nodes.get(key(id)), id))),
    latestCheckpoint: () => Promise.resolve(checkpoint),
  };
}

/** The same log with one stored node hash (level 0 = leaf hash) flipped: storage corruption. */
export function withCorruptNode(log: LogReader, bad: NodeId): LogReader {
  const flip = (h: Buffer, id: NodeId): Buffer =>
    id.level === bad.level && id.index === bad.index
      ? Buffer.from(h.map((b, i) => (i === 0 ? b ^ 1 : b)))
      : h;
  return {
    size: () => log.size(),
    readEntries: (start, end) => log.readEntries(start, end),
    readNodes: async (ids) => (await log.readNodes(ids)).map((h, i) => flip(h, ids[i] as NodeId)),
    latestCheckpoint: () => log.latestCheckpoint(),
  };
}

/** The same log, recording how many items each readEntries / readNodes call returned. */
export function withReadCounts(log: LogReader): { log: LogReader; entries: number[]; nodes: number[] } {
  const entries: number[] = [];
  const nodes: number[] = [];
  const counted: LogReader = {
    size: () => log.size(),
    latestCheckpoint: () => log.latestCheckpoint(),
    readEntries: async (start, end) => record(entries, await log.readEntries(start, end)),
    readNodes: async (ids) => record(nodes, await log.readNodes(ids)),
  };
  return { log: counted, entries, nodes };
}

function record<T>(into: number[], items: T[]): T[] {
  into.push(items.length);
  return items;
}

function stored(leaves: readonly Buffer[]): StoredCheckpoint {
  const root = Buffer.from(frontierRoot(appendLeaves(EMPTY_FRONTIER, leaves).frontier) ?? EMPTY_ROOT);
  const note = signedCheckpoint(leaves, root);
  return { seq: 1, size: leaves.length, root, note, createdAt: "2025-01-01T00:00:00.000Z", segment: 1 };
}

function key(id: NodeId): string {
  return `${id.level}/${id.index}`;
}

function must(hash: Buffer | undefined, id: NodeId): Buffer {
  if (hash === undefined) throw new Error(`node ${key(id)} was never stored`);
  return hash;
}
