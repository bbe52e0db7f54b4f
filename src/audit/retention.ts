import { readdir, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../clock.js";
import { fsError, VigilError } from "../errors.js";
import { syncDir } from "./atomic-file.js";
import { parseExportName } from "./export-names.js";
import { shiftDay, utcDay } from "./record-time.js";

export interface RetentionResult {
  /** Exports of days before this one (UTC) were removed. */
  readonly cutoff: string;
  /** File names removed, sorted. */
  readonly removed: readonly string[];
}

/**
 * Removes audit exports (complete and partial, with their checksums) of
 * days more than `days` days before today (UTC, per the clock), judged by
 * the day in the file name. Only regular files named like an export are
 * touched; nothing else in `dir` is.
 */
export async function pruneAuditExports(dir: string, days: number, clock: Clock): Promise<RetentionResult> {
  if (!Number.isSafeInteger(days) || days < 1)
    throw new VigilError("USAGE", `--retention-days must be a whole number of at least 1, got ${days}`);
  const cutoff = shiftDay(utcDay(clock.now()), -days);
  const removed = (await listExports(dir)).filter((n) => (parseExportName(n)?.day ?? cutoff) < cutoff);
  for (const name of removed) {
    try {
      await unlink(join(dir, name));
    } catch (e) {
      throw fsError(join(dir, name), e, "cannot remove");
    }
  }
  if (removed.length > 0) await syncDir(dir);
  return { cutoff, removed };
}

async function listExports(dir: string): Promise<string[]> {
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries
      .filter((e) => e.isFile() && parseExportName(e.name) !== null)
      .map((e) => e.name)
      .sort();
  } catch (e) {
    throw fsError(dir, e, "cannot read");
  }
}
