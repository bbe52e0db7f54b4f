import { VigilError } from "../../errors.js";
import { parseTenant } from "../evidence/metadata.js";

/** What `vigil audit receipts` and GET /v1/audit/receipts ask for, parsed once. */
export interface ReceiptQuery {
  /** Receipts with since <= at < until (ISO 8601, UTC). */
  readonly since: string;
  readonly until: string | null;
  /** One tenant's receipts; null: every tenant's. */
  readonly tenant: string | null;
  readonly checkGaps: boolean;
  /** Most receipts listed (the runs and gaps are computed over all of them). */
  readonly limit: number | null;
}

export interface RawReceiptQuery {
  readonly since?: unknown;
  readonly until?: unknown;
  readonly tenant?: unknown;
  readonly checkGaps?: unknown;
  readonly limit?: unknown;
}

const DURATION = /^(\d{1,6})([smhd])$/;
const UNIT = { s: 1, m: 60, h: 3600, d: 86400 } as const;
/** ISO 8601 as a day, or a date-time with seconds and an explicit zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A time as `at` strings compare: an ISO 8601 day or date-time with a zone,
 * or a duration before `now` (30m, 24h, 7d). Null after recording the problem.
 */
export function parseInstant(v: unknown, name: string, now: Date, problems: string[]): string | null {
  if (typeof v !== "string") return (void problems.push(`${name} must be a time`), null);
  const d = DURATION.exec(v);
  if (d !== null)
    return new Date(now.getTime() - Number(d[1]) * UNIT[d[2] as keyof typeof UNIT] * 1000).toISOString();
  const t = INSTANT.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(t)) {
    problems.push(
      `${name} must be an ISO 8601 day or date-time with a zone (2026-12-01, 2026-12-01T08:00Z) or a duration ago (24h, 7d), got ${JSON.stringify(v.slice(0, 40))}`,
    );
    return null;
  }
  return new Date(t).toISOString();
}

/** Every bad field is named at once (INPUT_INVALID); the result is the narrowed query. */
export function parseReceiptQuery(raw: RawReceiptQuery, now: Date): ReceiptQuery {
  const problems: string[] = [];
  if (raw.since === undefined) problems.push("since is required");
  const since = raw.since === undefined ? null : parseInstant(raw.since, "since", now, problems);
  const until = raw.until === undefined ? null : parseInstant(raw.until, "until", now, problems);
  let tenant: string | null = null;
  try {
    tenant = raw.tenant === undefined ? null : parseTenant(raw.tenant, "tenant");
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (raw.checkGaps !== undefined && typeof raw.checkGaps !== "boolean")
    problems.push("checkGaps must be true or false");
  const limit = raw.limit === undefined ? null : raw.limit;
  if (limit !== null && !(Number.isSafeInteger(limit) && (limit as number) >= 1))
    problems.push("limit must be a whole number of at least 1");
  if (since !== null && until !== null && until <= since) problems.push("until must be later than since");
  if (problems.length > 0 || since === null) throw new VigilError("INPUT_INVALID", problems.join("; "));
  return { since, until, tenant, checkGaps: raw.checkGaps === true, limit: limit as number | null };
}
