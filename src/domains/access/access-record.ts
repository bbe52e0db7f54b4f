import { encodeRecord, type JournalRecord } from "../../journal/index.js";
import type { AppendItem } from "../../storage/log-store.js";
import type { Action } from "./roles.js";

export const ACCESS = "access.receipt";
export const SERVER_STARTED = "server.started";
export const SERVER_STOPPED = "server.stopped";

export type AccessOutcome = "allowed" | "denied" | "not-found" | "rejected" | "failed";

/**
 * access.receipt v1: one request that read or changed evidence, or was refused one
 * (provability-fabric-ops-runbook: signed access receipts). `server` and
 * `seq` number each server process's receipts 1, 2, 3, … in commit order,
 * so a missing receipt shows as a gap (`vigil audit receipts --check-gaps`).
 * Leaf + inclusion proof + a signed checkpoint make it a verifiable receipt.
 * Servers now write access.receipts (receipts-record.ts), one record per
 * group commit and tenant; journals written before hold these, and the audit
 * reads both.
 */
export interface AccessRecord extends JournalRecord, AccessEvent {
  readonly type: typeof ACCESS;
  readonly v: 1;
  readonly server: string;
  readonly seq: number;
}

/** An access event before the writer numbers it. */
export interface AccessEvent {
  readonly at: string;
  readonly tenant: string;
  readonly token: string;
  readonly role: string;
  readonly action: Action;
  /** What was asked for: an artifact id, a query, "batch of N". */
  readonly target: string;
  readonly outcome: AccessOutcome;
  readonly status: number;
  readonly requestId: string;
}

/** server.started / server.stopped v1: the bounds of one process's receipt sequence. */
export interface ServerLifeRecord extends JournalRecord {
  readonly type: typeof SERVER_STARTED | typeof SERVER_STOPPED;
  readonly v: 1;
  readonly server: string;
  readonly at: string;
  /** server.stopped: the last receipt's seq (0 if none). */
  readonly lastSeq?: number;
}

/** An access.receipt v1 as servers wrote it before access.receipts (old journals; tests build them). */
export function accessItem(e: AccessEvent, server: string, seq: number): AppendItem {
  const record: AccessRecord = { type: ACCESS, v: 1, ...e, server, seq };
  return { encoded: encodeRecord(record), record };
}

export function serverLifeItem(
  type: ServerLifeRecord["type"],
  server: string,
  at: Date,
  lastSeq?: number,
): AppendItem {
  const record: ServerLifeRecord = {
    type,
    v: 1,
    server,
    at: at.toISOString(),
    ...(lastSeq === undefined ? {} : { lastSeq }),
  };
  return { encoded: encodeRecord(record), record };
}

export function isServerLife(r: JournalRecord): r is ServerLifeRecord {
  return (
    (r.type === SERVER_STARTED || r.type === SERVER_STOPPED) && r.v === 1 && typeof r.server === "string"
  );
}
