import { isCalendarDate } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";

/** An RFC 3339 (s5.6) date-time with an explicit offset, as Date#toISOString writes it (no leap seconds). */
const INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d{1,9})?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
const DAY_MS = 86_400_000;

/**
 * A record's time: `at` (the newer record types) or else `addedAt`
 * (evidence.added, assigned at commit). A record with neither, or whose
 * value is not an ISO instant with an offset, has no time and belongs to
 * no day: no audit export contains it.
 */
export function recordTime(record: Readonly<Record<string, unknown>>): Date | null {
  const m = matchTime(record);
  return m === null ? null : new Date(Date.parse(m[0]));
}

/** The UTC day of a record's time (recordTime), or null when it has none. */
export function recordDay(record: Readonly<Record<string, unknown>>): string | null {
  const m = matchTime(record);
  if (m === null) return null;
  // The common case, times written by Date#toISOString: the UTC day is the date as written.
  return m[4] === "Z" ? (m[1] as string) : utcDay(new Date(Date.parse(m[0])));
}

function matchTime(record: Readonly<Record<string, unknown>>): RegExpExecArray | null {
  const t = record.at ?? record.addedAt;
  const m = typeof t === "string" ? INSTANT.exec(t) : null;
  // Date.parse alone would accept 2026-02-30 (as March 2) and T24:00.
  return m !== null && isCalendarDay(m[1] as string) ? m : null;
}

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** Parses a --date: YYYY-MM-DD naming a real calendar day. */
export function parseDay(text: string): string {
  if (!isCalendarDay(text))
    throw new VigilError("USAGE", `--date must be a calendar day YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return text;
}

/** YYYY-MM-DD naming a day that exists (years 100 and later). */
function isCalendarDay(text: string): boolean {
  return isCalendarDate(text) && text >= "0100";
}

/** The day `n` days after `day` (n may be negative). */
export function shiftDay(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}
