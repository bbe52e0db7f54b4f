import {
  buildConsistencyProof,
  equalBytes,
  formatCheckpoint,
  openNote,
  parseCheckpoint,
  signNote,
  verifiersFor,
  verifyConsistency,
  type JournalRecord,
  type KeyChain,
  type Signer,
  type Verifier,
} from "../journal/index.js";
import type { Clock } from "../clock.js";
import { VigilError } from "../errors.js";
import type { LogReader, StoredCheckpoint } from "../storage/log-reader.js";
import type { LogStore } from "../storage/log-store.js";
import { loadKeyChain } from "./key-chain.js";

export interface AnchorContext {
  readonly log: LogStore;
  readonly signer: Signer;
  readonly verifier: Verifier;
  readonly origin: string;
  readonly clock: Clock;
}

export interface CreatedAnchor {
  readonly anchor: StoredCheckpoint;
  readonly created: boolean;
}

export interface AnchorOptions {
  /** Sign into this chain segment (a new one after `anchor new-chain`); always signs a new anchor. */
  readonly segment?: number;
  /** Sign the tree at this size (at most the journal's, at least the latest anchor's) instead of the current one. */
  readonly atSize?: number;
}

/** Signs a checkpoint of the current tree, unless the latest anchor already covers it. */
export async function createAnchor(ctx: AnchorContext, options: AnchorOptions = {}): Promise<CreatedAnchor> {
  const size = options.atSize ?? (await ctx.log.size());
  const latest = await ctx.log.latestCheckpoint();
  if (latest !== null && latest.size > size)
    throw new VigilError(
      "CONFLICT",
      `anchor ${latest.seq} already covers ${latest.size} entries, more than ${size}`,
    );
  if (latest !== null && latest.size === size && options.segment === undefined)
    return { anchor: latest, created: false };
  if (size === 0) throw new VigilError("CONFLICT", "the journal is empty: nothing to anchor yet");
  const root = await ctx.log.root(size);
  if (root === null) throw new VigilError("STORAGE_CORRUPT", "cannot compute the root");
  const body = formatCheckpoint({ origin: ctx.origin, size, root, rest: "" });
  const note = signNote(body, [ctx.signer]);
  const createdAt = ctx.clock.now().toISOString();
  const anchor = await ctx.log.addCheckpoint({ size, root, note, createdAt, segment: options.segment });
  return { anchor, created: true };
}

export interface AnchorCheck {
  readonly seq: number;
  readonly size: number;
  readonly segment: number;
  /** In a chain segment older than the current one (kept, archived, after `anchor new-chain`). */
  readonly archived: boolean;
  readonly ok: boolean;
  readonly problems: readonly string[];
  /**
   * An archived anchor's divergence from today's tree (root, size, link): what
   * the declared break explains, reported but not a failure. Signature and
   * origin problems are never archived.
   */
  readonly archivedProblems: readonly string[];
  /** Consistency proof to the previous anchor of the same segment (base64), when there is one. */
  readonly link: readonly string[] | null;
}

/**
 * Checks one anchor: the note's signature by our key, the body's origin and
 * root against the tree recomputed from stored nodes, and the consistency
 * proof that links it to its predecessor in the same chain segment. The
 * first anchor of a segment after the first must cover the journal's
 * anchor.chain_started record for that segment. The signature must be by
 * the key that the key chain (key.rotated records) gives the anchor's size.
 */
export async function checkAnchor(
  ctx: CheckContext,
  anchor: StoredCheckpoint,
  previous: StoredCheckpoint | null,
  archived = false,
): Promise<AnchorCheck> {
  const own: string[] = [];
  const tree: string[] = [];
  const keys = ctx.keys ?? (await loadKeyChain(ctx.log, ctx.verifier));
  const body = checkSignature(anchor, keys, own);
  if (body !== null) {
    if (body.origin !== ctx.origin) own.push(`origin ${body.origin} is not this locker's ${ctx.origin}`);
    if (body.size !== anchor.size || !equalBytes(body.root, anchor.root))
      own.push("signed body disagrees with the stored anchor row");
  }
  const journalSize = await ctx.log.size();
  if (anchor.size > journalSize)
    tree.push(`anchor covers ${anchor.size} entries but the journal holds ${journalSize}`);
  else await checkRoot(ctx.log, anchor, tree);
  const linked = previous !== null && previous.segment === anchor.segment;
  const link = linked ? await checkLink(ctx.log, previous, anchor, tree) : null;
  if (!linked && anchor.segment > 1) await checkChainStart(ctx.log, anchor, previous, tree);
  const problems = archived ? own : [...own, ...tree];
  return {
    seq: anchor.seq,
    size: anchor.size,
    segment: anchor.segment,
    archived,
    ok: problems.length === 0,
    problems,
    archivedProblems: archived ? tree : [],
    link,
  };
}
/** What checking anchors needs; `keys` is loaded from the journal when not given. */
export type CheckContext = Pick<AnchorContext, "log" | "verifier" | "origin"> & { readonly keys?: KeyChain };

function checkSignature(anchor: StoredCheckpoint, keys: KeyChain, problems: string[]) {
  const verifiers = verifiersFor(keys, anchor.size);
  try {
    return parseCheckpoint(openNote(anchor.note, verifiers).text);
  } catch (e) {
    problems.push(`signature check failed: ${(e as Error).message}`);
    return null;
  }
}

async function checkRoot(log: LogStore, anchor: StoredCheckpoint, problems: string[]): Promise<void> {
  try {
    const root = await log.root(anchor.size);
    if (root === null || !equalBytes(root, anchor.root))
      problems.push("root recomputed from the journal does not match the anchor");
  } catch (e) {
    problems.push(`cannot recompute the root: ${(e as Error).message}`);
  }
}

async function checkLink(
  log: LogStore,
  previous: StoredCheckpoint,
  anchor: StoredCheckpoint,
  problems: string[],
): Promise<string[] | null> {
  if (previous.size > anchor.size) {
    problems.push(`anchor ${anchor.seq} is smaller than anchor ${previous.seq}: the chain went backwards`);
    return null;
  }
  try {
    const proof = await buildConsistencyProof(previous.size, anchor.size, (ids) => log.readNodes(ids));
    if (!verifyConsistency(previous.size, anchor.size, previous.root, anchor.root, proof)) {
      problems.push(`consistency proof from anchor ${previous.seq} does not verify: the chain is broken`);
    }
    return proof.map((p) => Buffer.from(p).toString("base64"));
  } catch (e) {
    problems.push(`cannot build the consistency proof: ${(e as Error).message}`);
    return null;
  }
}

/** anchor.chain_started v1: a new anchor chain segment begins, after an unrecoverable break. */
export const CHAIN_STARTED = "anchor.chain_started";

export interface ChainStartedRecord extends JournalRecord {
  readonly type: typeof CHAIN_STARTED;
  readonly v: 1;
  readonly segment: number;
  readonly reason: string;
  /** The latest anchor when the chain restarted: the last of the archived segment. */
  readonly previous: { readonly seq: number; readonly size: number; readonly root: string } | null;
  readonly at: string;
}

export function chainStarted(
  segment: number,
  reason: string,
  previous: StoredCheckpoint | null,
  at: Date,
): ChainStartedRecord {
  const prev =
    previous === null
      ? null
      : { seq: previous.seq, size: previous.size, root: previous.root.toString("base64") };
  return { type: CHAIN_STARTED, v: 1, segment, reason, previous: prev, at: at.toISOString() };
}

async function checkChainStart(
  log: LogReader,
  anchor: StoredCheckpoint,
  previous: StoredCheckpoint | null,
  problems: string[],
): Promise<void> {
  const r = await findChainStart(log, anchor.segment, Math.min(anchor.size, await log.size()));
  if (r === null)
    return void problems.push(
      `anchor ${anchor.seq} starts chain segment ${anchor.segment} but covers no ${CHAIN_STARTED} record for it`,
    );
  const p = r.previous;
  if (previous !== null && (p?.seq !== previous.seq || p.root !== previous.root.toString("base64")))
    problems.push(
      `the ${CHAIN_STARTED} record of segment ${anchor.segment} does not name anchor ${previous.seq} as the previous one`,
    );
}

const SCAN_CHUNK = 256;

/** The nearest anchor.chain_started record for `segment` below leaf `size` (usually the last one). */
async function findChainStart(
  log: LogReader,
  segment: number,
  size: number,
): Promise<ChainStartedRecord | null> {
  const marker = Buffer.from(`"type":"${CHAIN_STARTED}"`);
  for (let hi = size; hi > 0; hi -= SCAN_CHUNK) {
    const entries = await log.readEntries(Math.max(0, hi - SCAN_CHUNK), hi);
    for (let k = entries.length - 1; k >= 0; k--) {
      const bytes = entries[k]?.bytes;
      const r = bytes?.includes(marker) ? parseChainStarted(bytes) : null;
      if (r !== null && r.segment === segment) return r;
    }
  }
  return null;
}

function parseChainStarted(bytes: Buffer): ChainStartedRecord | null {
  try {
    const r = JSON.parse(bytes.toString("utf8")) as Partial<ChainStartedRecord>;
    const p = r.previous;
    const prevOk = p === null || (typeof p?.seq === "number" && typeof p.root === "string");
    return r.type === CHAIN_STARTED && r.v === 1 && typeof r.segment === "number" && prevOk
      ? (r as ChainStartedRecord)
      : null;
  } catch {
    return null;
  }
}

/**
 * Checks every anchor (or only the latest) in chain order. Links are checked
 * only inside a chain segment; segments before the current one are archived.
 */
export async function verifyAnchors(ctx: CheckContext, which: "latest" | "all"): Promise<AnchorCheck[]> {
  const keys = ctx.keys ?? (await loadKeyChain(ctx.log, ctx.verifier));
  const all = await ctx.log.listCheckpoints();
  const current = all.reduce((m, a) => Math.max(m, a.segment), 0);
  const start = which === "latest" ? Math.max(0, all.length - 1) : 0;
  const out: AnchorCheck[] = [];
  for (let i = start; i < all.length; i++) {
    const a = all[i] as StoredCheckpoint;
    out.push(await checkAnchor({ ...ctx, keys }, a, all[i - 1] ?? null, a.segment < current));
  }
  return withChainProblems(out, keys);
}

/** A broken key chain fails the latest anchor: it is what the chain vouches for. */
function withChainProblems(checks: AnchorCheck[], keys: KeyChain): AnchorCheck[] {
  const last = checks.at(-1);
  if (last === undefined || keys.problems.length === 0) return checks;
  const problems = [...last.problems, ...keys.problems.map((p) => `key chain: ${p}`)];
  return [...checks.slice(0, -1), { ...last, ok: false, problems }];
}
