import type { JournalRecord } from "../../journal/index.js";
import { ACCESS, SERVER_STARTED, SERVER_STOPPED, type AccessEvent } from "./access-record.js";
import type { ReceiptQuery } from "./receipt-query.js";
import { ACCESS_BATCH, readReceipts } from "./receipts-record.js";

/** A journal record with its leaf index, as a scan yields it. */
export interface Leaf {
  readonly index: number;
  readonly record: JournalRecord;
}

/** One receipt as listed: who saw what, when, with what outcome. */
export type ReceiptRow = AccessEvent & {
  readonly server: string;
  readonly seq: number;
  readonly leaf: number;
};

/** One server process: its numbered receipt sequence and how it ended. */
export interface RunSummary {
  readonly server: string;
  readonly startedAt: string | null;
  readonly stoppedAt: string | null;
  readonly receipts: number;
  /** stopped: server.stopped recorded; current: the latest run, still running (or killed just now); unstopped: an earlier run that never stopped. */
  readonly state: "stopped" | "current" | "unstopped";
}

export interface Gap {
  readonly server: string;
  readonly problem: string;
}

/** vigil.receipt-audit v1: the listing, the runs it spans and (with checkGaps) every hole in their numbering. */
export interface ReceiptAudit {
  readonly type: "vigil.receipt-audit";
  readonly v: 1;
  readonly query: ReceiptQuery;
  readonly receipts: readonly ReceiptRow[];
  readonly truncated: boolean;
  readonly runs: readonly RunSummary[];
  readonly gaps: readonly Gap[] | null;
  readonly ok: boolean;
}

interface Run {
  readonly server: string;
  started: Leaf | null;
  stopped: Leaf | null;
  /** Each record's numbers: seq first..first+count-1 (count 1 for an access.receipt). */
  readonly receipts: { leaf: number; first: number; count: number }[];
  readonly problems: string[];
}

/** The types an audit reads; a scan passes only these. */
export const RECEIPT_TYPES = [ACCESS, ACCESS_BATCH, SERVER_STARTED, SERVER_STOPPED] as const;

/**
 * The audit over every access.receipt, access.receipts, server.started and
 * server.stopped record in journal order. Runs are judged whole (numbering is per process,
 * not per window): a run is reported when it overlaps [since, until).
 * Pure: the records and the query are inputs.
 */
export function auditReceipts(leaves: Iterable<Leaf>, q: ReceiptQuery): ReceiptAudit {
  const runs = new Map<string, Run>();
  const rows: ReceiptRow[] = [];
  const orphans: Gap[] = [];
  let latest: string | null = null;
  for (const l of leaves) {
    const server = l.record.server;
    if (typeof server !== "string") {
      orphans.push({ server: "?", problem: `${l.record.type} at leaf ${l.index} names no server` });
      continue;
    }
    const run = runOf(runs, server);
    if (l.record.type === SERVER_STARTED) latest = server;
    track(run, l, rows, q);
  }
  const inWindow = [...runs.values()].filter((r) => overlaps(r, q));
  const summaries = inWindow.map((r) => summarise(r, r.server === latest));
  const gaps = q.checkGaps ? [...orphans, ...inWindow.flatMap((r) => runGaps(r, r.server === latest))] : null;
  const limited = q.limit === null ? rows : rows.slice(0, q.limit);
  return {
    type: "vigil.receipt-audit",
    v: 1,
    query: q,
    receipts: limited,
    truncated: limited.length < rows.length,
    runs: summaries,
    gaps,
    ok: gaps === null || gaps.length === 0,
  };
}

function runOf(runs: Map<string, Run>, server: string): Run {
  let run = runs.get(server);
  if (run === undefined) {
    run = { server, started: null, stopped: null, receipts: [], problems: [] };
    runs.set(server, run);
  }
  return run;
}

function track(run: Run, l: Leaf, rows: ReceiptRow[], q: ReceiptQuery): void {
  const r = l.record;
  if (r.type === SERVER_STARTED) {
    if (run.started !== null) run.problems.push(`started again at leaf ${l.index}`);
    else run.started = l;
  } else if (r.type === SERVER_STOPPED) {
    if (run.stopped !== null) run.problems.push(`stopped again at leaf ${l.index}`);
    else run.stopped = l;
  } else {
    const got = readReceipts(r);
    if (got === null) return void run.problems.push(`${r.type} at leaf ${l.index} is malformed`);
    const span = { leaf: l.index, first: got.firstSeq, count: got.events.length };
    if (run.stopped !== null)
      run.problems.push(
        `${numbers(span.first, span.count)} at leaf ${l.index} ${span.count === 1 ? "comes" : "come"} after server.stopped`,
      );
    run.receipts.push(span);
    got.events.forEach((e, i) => {
      const row: ReceiptRow = { ...e, server: got.server, seq: got.firstSeq + i, leaf: l.index };
      if (selected(row, q)) rows.push(row);
    });
  }
}

/** "receipt seq 5" or "receipts seq 5..7". */
function numbers(first: number, count: number): string {
  return count === 1 ? `receipt seq ${first}` : `receipts seq ${first}..${first + count - 1}`;
}

function selected(row: ReceiptRow, q: ReceiptQuery): boolean {
  if (row.at < q.since || (q.until !== null && row.at >= q.until)) return false;
  return q.tenant === null || row.tenant === q.tenant;
}

function at(l: Leaf | null): string | null {
  return typeof l?.record.at === "string" ? l.record.at : null;
}

/** A run overlaps the window unless it ended before since or began at or after until. */
function overlaps(r: Run, q: ReceiptQuery): boolean {
  const start = at(r.started) ?? "";
  const end = at(r.stopped);
  return (end === null || end >= q.since) && (q.until === null || start < q.until);
}

function summarise(r: Run, isLatest: boolean): RunSummary {
  const state = r.stopped !== null ? "stopped" : isLatest ? "current" : "unstopped";
  return {
    server: r.server,
    startedAt: at(r.started),
    stoppedAt: at(r.stopped),
    receipts: r.receipts.reduce((n, x) => n + x.count, 0),
    state,
  };
}

/** Holes in one run: numbering that is not 1..n in order, a bad or missing start or stop. */
function runGaps(r: Run, isLatest: boolean): Gap[] {
  const problems = [...r.problems];
  if (r.started === null) problems.push("has receipts or a stop but no server.started record");
  let want = 1;
  for (const { leaf, first, count } of r.receipts) {
    if (first > want) problems.push(missing(want, first - 1));
    else if (first < want)
      problems.push(
        `${numbers(first, count)} at leaf ${leaf} ${count === 1 ? "repeats or goes" : "repeat or go"} back (expected ${want})`,
      );
    want = Math.max(want, first + count);
  }
  const last = r.stopped?.record.lastSeq;
  if (r.stopped !== null && typeof last === "number" && last > want - 1) problems.push(missing(want, last));
  if (r.stopped !== null && typeof last === "number" && last < want - 1)
    problems.push(`server.stopped says the last receipt was ${last}, but receipts run to ${want - 1}`);
  if (r.stopped !== null && typeof last !== "number") problems.push("server.stopped carries no lastSeq");
  if (r.stopped === null && !isLatest)
    problems.push(
      `never stopped: no server.stopped after its start at ${at(r.started) ?? "?"} (the process died?)`,
    );
  return problems.map((problem) => ({ server: r.server, problem }));
}

function missing(from: number, to: number): string {
  return from === to ? `receipt seq ${from} is missing` : `receipts seq ${from}..${to} are missing`;
}
