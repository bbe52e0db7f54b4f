import { existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import { buildKeyChain, equalBytes, KEY_ROTATED, type KeyChain } from "../journal/index.js";
import { readRotations } from "../log/key-chain.js";
import { recordsOfType } from "../log/scan-records.js";
import { initLocker } from "../app/init-locker.js";
import { parseLockerConfig } from "../app/locker-config.js";
import { lockerPaths } from "../app/paths.js";
import { openVigil, type Vigil } from "../app/vigil.js";
import type { Clock } from "../clock.js";
import { fsError, VigilError } from "../errors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import { acceptCheckpoints } from "./accept-checkpoints.js";
import { projectAll } from "../app/projection.js";
import { unlinkAll } from "../lifecycle/files.js";
import { EntryCopier, type CopyStats, type CopyTarget } from "./entry-copier.js";
import { FollowerLogStore } from "./follower-log-store.js";
import type { ReplicaSource, SourceIdentity } from "./replica-source.js";

export interface ReplicateResult extends Omit<CopyStats, "contentsMissing"> {
  readonly created: boolean;
  readonly from: string;
  readonly to: string;
  readonly origin: string;
  /** Source anchors accepted in this run. */
  readonly anchors: number;
  readonly size: number;
  readonly latest: { readonly seq: number; readonly size: number; readonly root: string } | null;
  readonly unlinkedFiles: number;
  readonly contentsMissing: readonly string[];
}

/**
 * Makes or updates a follower of `source` at `to`. The follower copies the
 * source's anchored records and contents and stores each source anchor
 * verbatim, but only after checking its signature with the pinned key and
 * its consistency with the follower's latest anchor; the whole update is one
 * transaction, so a refused source leaves the follower exactly as it was
 * (and a follower created by a refused first run is removed again).
 */
export async function replicate(source: ReplicaSource, to: string, clock: Clock): Promise<ReplicateResult> {
  const id = await source.identity();
  const created = ensureFollower(to, id, clock);
  let done = false;
  try {
    const v = openVigil(to, { clock });
    try {
      const r = await follow(v, source);
      done = true;
      return { created, from: source.location, to: resolve(to), origin: id.origin, ...r };
    } finally {
      await v.close();
    }
  } finally {
    if (created && !done) await rm(to, { recursive: true, force: true });
  }
}

function ensureFollower(to: string, id: SourceIdentity, clock: Clock): boolean {
  const p = lockerPaths(to);
  if (!existsSync(p.config)) {
    const replicaOf = { origin: id.origin, verifierKey: id.verifierKey.trim() };
    initLocker(to, clock, { replicaOf, inlineLimit: id.inlineLimit, retentionDays: id.retentionDays });
    return true;
  }
  let text: string;
  try {
    text = readFileSync(p.config, "utf8");
  } catch (e) {
    throw fsError(p.config, e, "cannot read");
  }
  const mine = parseLockerConfig(text, p.config).replicaOf;
  if (mine === undefined)
    throw new VigilError(
      "CONFLICT",
      `${to} is a locker of its own, not a replica; refusing to replicate into it`,
    );
  // The source's key may differ from the pinned one after a rotation: its checkpoints are then
  // accepted only through the key chain from the pinned key (acceptCheckpoints).
  if (mine.origin !== id.origin)
    throw new VigilError("CONFLICT", `${to} follows ${mine.origin}, not ${id.origin}; refusing`);
  return false;
}

/**
 * The key chain from the pinned key through the key.rotated records the
 * follower holds and those the source offers beyond them: a rotation the
 * pinned key (or its successor) signed lets the follower accept the new key.
 */
async function sourceKeyChain(v: Vigil, source: ReplicaSource): Promise<KeyChain> {
  const held = await v.log.size();
  const end = (await source.latestCheckpoint())?.size ?? held;
  const rotations = await readRotations(v.log, held);
  for await (const r of recordsOfType(source, [KEY_ROTATED], held, end)) rotations.push(r);
  return buildKeyChain(rotations, v.verifier);
}

async function follow(
  v: Vigil,
  source: ReplicaSource,
): Promise<Omit<ReplicateResult, "created" | "from" | "to" | "origin">> {
  const log = v.log;
  if (!(log instanceof FollowerLogStore))
    throw new VigilError("INTERNAL", "a replica opened without its follower log");
  const mine = await log.latestCheckpoint();
  const keys = await sourceKeyChain(v, source);
  const fresh = await acceptCheckpoints(
    source,
    { origin: v.config.origin, verifier: v.verifier, keys },
    mine,
  );
  const copier = new EntryCopier(followerTarget(v, log), source);
  if (fresh.length > 0) {
    try {
      await v.lifecycle.atomically(async () => {
        for (const cp of fresh) await take(v, copier, cp);
      });
    } catch (e) {
      // Rolled back: the blob files this run added are referenced by nothing.
      await unlinkAll(copier.created.map((d) => v.blobs.files.pathOf(d)));
      throw e;
    }
  }
  const unlinkedFiles = await unlinkDropped(v, copier.dropped);
  const latest = await log.latestCheckpoint();
  return {
    ...copier.stats,
    anchors: fresh.length,
    size: await log.size(),
    latest:
      latest === null ? null : { seq: latest.seq, size: latest.size, root: latest.root.toString("base64") },
    unlinkedFiles,
  };
}

/**
 * The follower's journal as a copy target. The copy runs inside the
 * follower's update transaction; the files it creates are removed again if
 * that transaction rolls back.
 */
function followerTarget(v: Vigil, log: FollowerLogStore): CopyTarget {
  return {
    inlineLimit: v.config.inlineLimit,
    blobs: v.blobs,
    size: () => log.size(),
    append: (items) => log.appendReplicated(items, projectAll),
    holdsLarge: (digest) => v.blobs.files.exists(digest),
  };
}

/** After the commit: files whose rows expiry records removed, unless still referenced. */
function unlinkDropped(v: Vigil, dropped: readonly Buffer[]): Promise<number> {
  const kept = v.lifecycle.referencedFiles();
  const gone = dropped.filter((d) => !kept.has(d.toString("hex")));
  return unlinkAll(gone.map((d) => v.blobs.files.pathOf(d)));
}

/** Copies up to the anchor's size, proves the copy hashes to its signed root, stores it verbatim. */
async function take(v: Vigil, copier: EntryCopier, cp: StoredCheckpoint): Promise<void> {
  await copier.copyTo(cp.size);
  const root = v.lifecycle.rootAt(cp.size);
  if (root === null || !equalBytes(root, cp.root))
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `the source's entries do not hash to its signed anchor ${cp.seq} (size ${cp.size}): refusing; this replica is unchanged`,
    );
  v.lifecycle.insertCheckpoint(cp);
}
