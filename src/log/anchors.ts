import {
  buildConsistencyProof,
  equalBytes,
  formatCheckpoint,
  openNote,
  parseCheckpoint,
  signNote,
  verifyConsistency,
  type Signer,
  type Verifier,
} from "../journal/index.js";
import type { Clock } from "../clock.js";
import { VigilError } from "../errors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { LogStore } from "../storage/log-store.js";

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

/** Signs a checkpoint of the current tree, unless the latest anchor already covers it. */
export async function createAnchor(ctx: AnchorContext): Promise<CreatedAnchor> {
  const size = await ctx.log.size();
  const latest = await ctx.log.latestCheckpoint();
  if (latest !== null && latest.size === size) return { anchor: latest, created: false };
  if (size === 0) throw new VigilError("CONFLICT", "the journal is empty: nothing to anchor yet");
  const root = await ctx.log.root(size);
  if (root === null) throw new VigilError("STORAGE_CORRUPT", "cannot compute the root");
  const body = formatCheckpoint({ origin: ctx.origin, size, root, rest: "" });
  const note = signNote(body, [ctx.signer]);
  const anchor = await ctx.log.addCheckpoint({ size, root, note, createdAt: ctx.clock.now().toISOString() });
  return { anchor, created: true };
}

export interface AnchorCheck {
  readonly seq: number;
  readonly size: number;
  readonly ok: boolean;
  readonly problems: readonly string[];
  /** Consistency proof to the previous anchor (base64), when there is one. */
  readonly link: readonly string[] | null;
}

/**
 * Checks one anchor: the note's signature by our key, the body's origin and
 * root against the tree recomputed from stored nodes, and the consistency
 * proof that links it to its predecessor.
 */
export async function checkAnchor(
  ctx: Pick<AnchorContext, "log" | "verifier" | "origin">,
  anchor: StoredCheckpoint,
  previous: StoredCheckpoint | null,
): Promise<AnchorCheck> {
  const problems: string[] = [];
  const body = checkSignature(anchor, ctx.verifier, problems);
  if (body !== null) {
    if (body.origin !== ctx.origin) problems.push(`origin ${body.origin} is not this locker's ${ctx.origin}`);
    if (body.size !== anchor.size || !equalBytes(body.root, anchor.root))
      problems.push("signed body disagrees with the stored anchor row");
  }
  const journalSize = await ctx.log.size();
  if (anchor.size > journalSize)
    problems.push(`anchor covers ${anchor.size} entries but the journal holds ${journalSize}`);
  else await checkRoot(ctx.log, anchor, problems);
  const link = previous === null ? null : await checkLink(ctx.log, previous, anchor, problems);
  return { seq: anchor.seq, size: anchor.size, ok: problems.length === 0, problems, link };
}

function checkSignature(anchor: StoredCheckpoint, verifier: Verifier, problems: string[]) {
  try {
    return parseCheckpoint(openNote(anchor.note, [verifier]).text);
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

/** Checks every anchor (or only the latest) in chain order. */
export async function verifyAnchors(
  ctx: Pick<AnchorContext, "log" | "verifier" | "origin">,
  which: "latest" | "all",
): Promise<AnchorCheck[]> {
  const all = await ctx.log.listCheckpoints();
  const start = which === "latest" ? Math.max(0, all.length - 1) : 0;
  const out: AnchorCheck[] = [];
  for (let i = start; i < all.length; i++)
    out.push(await checkAnchor(ctx, all[i] as StoredCheckpoint, all[i - 1] ?? null));
  return out;
}
