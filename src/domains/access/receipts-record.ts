import { encodeRecord, RecordFormatError, type JournalRecord } from "../../journal/index.js";
import type { AppendItem } from "../../storage/log-store.js";
import { ACCESS, type AccessEvent } from "./access-record.js";

export const ACCESS_BATCH = "access.receipts";

/** One event of a batch: an AccessEvent without its tenant (the record's). */
export type BatchedEvent = Omit<AccessEvent, "tenant">;

/**
 * access.receipts v1: the receipts of one group commit for one tenant, numbered
 * firstSeq, firstSeq+1, … in the server's sequence (the numbering of
 * access.receipt v1, which old journals hold and the audit still reads). One
 * record per (group, tenant), never one holding two tenants' events: a tenant
 * given its receipt's leaf, or the record bytes an inclusion proof of it needs,
 * learns nothing of another tenant.
 */
export interface AccessReceiptsRecord extends JournalRecord {
  readonly type: typeof ACCESS_BATCH;
  readonly v: 1;
  readonly events: readonly BatchedEvent[];
  readonly firstSeq: number;
  readonly server: string;
  readonly tenant: string;
}

/** The receipts a record holds, numbered; what the audit reads from either record type. */
export interface ReceiptRun {
  readonly server: string;
  readonly firstSeq: number;
  readonly events: readonly AccessEvent[];
}

/** Events per record before the size is even tried: ~250 bytes each keeps a record near 32 KiB. */
const MAX_EVENTS = 128;

/**
 * The records for a group's events, numbered from firstSeq in the order the
 * events come: grouped by tenant (in order of each tenant's first event), each
 * tenant's events one consecutive range, split to fit the record size limit.
 */
export function receiptItems(events: readonly AccessEvent[], server: string, firstSeq: number): AppendItem[] {
  const byTenant = new Map<string, BatchedEvent[]>();
  for (const e of events) {
    let list = byTenant.get(e.tenant);
    if (list === undefined) byTenant.set(e.tenant, (list = []));
    list.push(batched(e));
  }
  const items: AppendItem[] = [];
  let seq = firstSeq;
  for (const [tenant, list] of byTenant)
    for (let i = 0; i < list.length; i += MAX_EVENTS) {
      const chunk = list.slice(i, i + MAX_EVENTS);
      items.push(...fitted(chunk, server, tenant, seq));
      seq += chunk.length;
    }
  return items;
}

/** Keys in canonical (sorted) order, so the encoder's fast path applies. */
function batched(e: AccessEvent): BatchedEvent {
  const { action, at, outcome, requestId, role, status, target, token } = e;
  return { action, at, outcome, requestId, role, status, target, token };
}

/** One record, or halves of it while it exceeds the record size limit (long targets). */
function fitted(events: BatchedEvent[], server: string, tenant: string, firstSeq: number): AppendItem[] {
  const record: AccessReceiptsRecord = { events, firstSeq, server, tenant, type: ACCESS_BATCH, v: 1 };
  try {
    return [{ encoded: encodeRecord(record), record }];
  } catch (e) {
    if (!(e instanceof RecordFormatError) || events.length < 2) throw e;
    const half = Math.ceil(events.length / 2);
    return [
      ...fitted(events.slice(0, half), server, tenant, firstSeq),
      ...fitted(events.slice(half), server, tenant, firstSeq + half),
    ];
  }
}

/**
 * The numbered receipts of an access.receipt v1 or access.receipts v1 record,
 * narrowed field by field; null when any field is not what the writer writes.
 */
export function readReceipts(r: JournalRecord): ReceiptRun | null {
  if (r.v !== 1 || typeof r.server !== "string") return null;
  if (r.type === ACCESS) {
    const e = readEvent(r, r.tenant);
    return e === null || !isSeq(r.seq) ? null : { server: r.server, firstSeq: r.seq, events: [e] };
  }
  if (r.type !== ACCESS_BATCH || !isSeq(r.firstSeq) || !Array.isArray(r.events) || r.events.length === 0)
    return null;
  const events: AccessEvent[] = [];
  for (const x of r.events as unknown[]) {
    const e = typeof x === "object" && x !== null ? readEvent(x as Record<string, unknown>, r.tenant) : null;
    if (e === null) return null;
    events.push(e);
  }
  return { server: r.server, firstSeq: r.firstSeq, events };
}

function isSeq(v: unknown): v is number {
  return Number.isSafeInteger(v) && (v as number) >= 1;
}

const STRING_FIELDS = ["at", "token", "role", "action", "target", "outcome", "requestId"] as const;

function readEvent(x: Readonly<Record<string, unknown>>, tenant: unknown): AccessEvent | null {
  if (typeof tenant !== "string" || !Number.isSafeInteger(x.status)) return null;
  if (!STRING_FIELDS.every((k) => typeof x[k] === "string")) return null;
  const s = x as Record<(typeof STRING_FIELDS)[number], string>;
  return {
    at: s.at,
    tenant,
    token: s.token,
    role: s.role,
    action: s.action as AccessEvent["action"],
    target: s.target,
    outcome: s.outcome as AccessEvent["outcome"],
    status: x.status as number,
    requestId: s.requestId,
  };
}
