import { VigilError } from "../errors.js";

/** An ISO 8601 instant with an explicit offset, as Date#toISOString writes it (RFC 3339 s5.6). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/**
 * A record's time: `at` (the newer record types) or else `addedAt`
 * (evidence.added, assigned at commit). A record with neither, or whose
 * value is not an ISO instant with an offset, has no time and belongs to
 * no day: no audit export contains it.
 */
export function recordTime(record: Readonly<Record<string, unknown>>): Date | null {
  const t = record.at ?? record.addedAt;
  if (typeof t !== "string" || !INSTANT.test(t)) return null;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? null : new Date(ms);
}

/** The UTC calendar day (YYYY-MM-DD) of an instant. */
export function utcDay(t: Date): string {
  return t.toISOString().slice(0, 10);
}

/** Parses a --date: YYYY-MM-DD naming a real calendar day. */
export function parseDay(text: string): string {
  const m = DAY.exec(text);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || utcDay(new Date(ms)) !== text)
    throw new VigilError("USAGE", `--date must be a calendar day YYYY-MM-DD, got ${JSON.stringify(text)}`);
  return text;
}

/** The day `n` days after `day` (n may be negative). */
export function shiftDay(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}
