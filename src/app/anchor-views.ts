import { VigilError } from "../errors.js";
import { checkAnchor, type AnchorContext } from "../log/anchors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { LockerPorts } from "./open-locker.js";

/** What anchor creation and checks need from an open locker. */
export function anchorContext(v: LockerPorts): AnchorContext {
  return { log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock: v.clock };
}

/** An anchor as `anchor inspect --json` and GET /v1/anchors/:seq show it. */
export function anchorJson(a: StoredCheckpoint) {
  return { seq: a.seq, size: a.size, root: a.root.toString("base64"), createdAt: a.createdAt, note: a.note };
}

/** The latest anchor (seq undefined) or anchor `seq`, else NOT_FOUND. */
export async function requireAnchor(v: LockerPorts, seq: number | undefined): Promise<StoredCheckpoint> {
  const a = seq === undefined ? await v.log.latestCheckpoint() : await v.log.getCheckpoint(seq);
  if (a === null)
    throw new VigilError(
      "NOT_FOUND",
      seq === undefined ? "no anchors yet (run: vigil anchor create)" : `no anchor ${seq}`,
    );
  return a;
}

export interface AnchorRow {
  readonly seq: number;
  readonly size: number;
  readonly root: string;
  readonly createdAt: string;
  /** The consistency proof to the previous anchor (base64), null for a segment's first; only when asked. */
  readonly link?: readonly string[] | null;
}

export interface AnchorPage {
  /** Anchors with seq > after (default 0), at most limit of them (default all). */
  readonly after?: number;
  readonly limit?: number;
  readonly showLinks?: boolean;
}

/** Rows of `anchor list`, oldest first; a page of them for the API. */
export async function anchorRows(v: LockerPorts, page: AnchorPage = {}): Promise<AnchorRow[]> {
  const all = await v.log.listCheckpoints();
  const start = all.findIndex((a) => a.seq > (page.after ?? 0));
  if (start < 0) return [];
  const end = page.limit === undefined ? all.length : start + page.limit;
  const rows: AnchorRow[] = [];
  for (let i = start; i < Math.min(end, all.length); i++) {
    const a = all[i] as StoredCheckpoint;
    const base = { seq: a.seq, size: a.size, root: a.root.toString("base64"), createdAt: a.createdAt };
    if (page.showLinks !== true) rows.push(base);
    else rows.push({ ...base, link: (await checkAnchor(anchorContext(v), a, all[i - 1] ?? null)).link });
  }
  return rows;
}
