import { encodeRecord } from "../journal/index.js";
import { anchorContext } from "../app/anchor-views.js";
import { projectAll } from "../app/projection.js";
import type { LockerPorts } from "../app/open-locker.js";
import { VigilError } from "../errors.js";
import { chainStarted, createAnchor, type ChainStartedRecord } from "../log/anchors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import { refusal } from "../replica/follower-log-store.js";

export interface NewChain {
  readonly segment: number;
  /** Leaf index of the anchor.chain_started record. */
  readonly recordLeaf: number;
  readonly previous: ChainStartedRecord["previous"];
  /** The first anchor of the new segment (it covers the record). */
  readonly anchor: StoredCheckpoint;
}

const MAX_REASON = 4096;

/**
 * Starts a new anchor chain segment after an unrecoverable break: the
 * journal records why and which anchor was the last of the old chain
 * (anchor.chain_started), then the first anchor of the new segment is
 * signed over it. The old segment stays in the anchor table, archived.
 */
export async function startNewChain(v: LockerPorts, reason: string): Promise<NewChain> {
  if (v.config.replicaOf !== undefined) throw refusal(v.config.origin, "start a new anchor chain");
  const why = reason.trim();
  if (why === "" || why.length > MAX_REASON)
    throw new VigilError("USAGE", `--reason must say why the chain restarts (1 to ${MAX_REASON} characters)`);
  const all = await v.log.listCheckpoints();
  const latest = all[all.length - 1] ?? null;
  if (latest === null)
    throw new VigilError(
      "CONFLICT",
      "there are no anchors yet, so no chain to restart (run: vigil anchor create)",
    );
  const segment = all.reduce((m, a) => Math.max(m, a.segment), 0) + 1;
  const record = chainStarted(segment, why, latest, v.clock.now());
  const { first } = await v.log.append([{ encoded: encodeRecord(record), record }], projectAll);
  const { anchor } = await createAnchor(anchorContext(v), { segment });
  return { segment, recordLeaf: first, previous: record.previous, anchor };
}
