import { lstat } from "node:fs/promises";
import { join } from "node:path";
import type { Clock } from "../clock.js";
import { fsError, VigilError } from "../errors.js";
import type { LogReader } from "../storage/log-reader.js";
import { checksumLine, digestFile, parseChecksumLine, readChecksumFile } from "./checksum-file.js";
import {
  ensureDir,
  publishNew,
  publishReplacing,
  stageFile,
  syncDir,
  type StagedFile,
} from "./atomic-file.js";
import { dayLines, type ScanTally } from "./day-scan.js";
import { checksumFileName, exportFileName } from "./export-names.js";
import { utcDay } from "./record-time.js";

export interface AuditExportDeps {
  readonly log: LogReader;
  readonly clock: Clock;
}

export interface AuditExportRequest {
  /** Output directory, created if missing. */
  readonly dir: string;
  /** The UTC day, YYYY-MM-DD (see parseDay). */
  readonly day: string;
  /** Export the current, incomplete day to audit-DAY.partial.jsonl. */
  readonly partial: boolean;
}

/** written: new files; exists: already exported and verified; completed: an interrupted export's checksum added. */
export type AuditExportStatus = "written" | "exists" | "completed";

export interface AuditExportResult {
  readonly format: "vigil.audit-export";
  readonly v: 1;
  readonly day: string;
  readonly partial: boolean;
  readonly status: AuditExportStatus;
  readonly file: string;
  readonly checksumFile: string;
  readonly records: number;
  readonly bytes: number;
  readonly sha256: string;
}

interface Target {
  readonly dir: string;
  readonly day: string;
  readonly partial: boolean;
  readonly name: string;
  readonly file: string;
  readonly sumName: string;
  readonly sumFile: string;
}

/**
 * Exports one UTC day's journal records as JSONL plus a `sha256sum` file,
 * both read-only. A complete day (before today, per the clock) is written
 * once and never rewritten: running again verifies the files against their
 * checksum instead. The current day is exported only as a partial file,
 * which later runs replace.
 */
export async function exportAuditDay(
  deps: AuditExportDeps,
  req: AuditExportRequest,
): Promise<AuditExportResult> {
  assertExportable(req.day, utcDay(deps.clock.now()), req.partial);
  await ensureDir(req.dir);
  const t = target(req);
  return req.partial ? exportPartial(deps.log, t) : exportComplete(deps.log, t);
}

function assertExportable(day: string, today: string, partial: boolean): void {
  if (day > today) throw new VigilError("USAGE", `${day} is in the future (today is ${today} UTC)`);
  if (day === today && !partial)
    throw new VigilError(
      "USAGE",
      `${day} is today (UTC) and not complete yet; pass --partial to export its records so far`,
    );
  if (day < today && partial)
    throw new VigilError("USAGE", `${day} is complete: export it without --partial`);
}

function target(req: AuditExportRequest): Target {
  const name = exportFileName(req.day, req.partial);
  const sumName = checksumFileName(req.day, req.partial);
  return { ...req, name, file: join(req.dir, name), sumName, sumFile: join(req.dir, sumName) };
}

async function exportComplete(log: LogReader, t: Target): Promise<AuditExportResult> {
  const [hasFile, hasSum] = [await exists(t.file), await exists(t.sumFile)];
  if (hasFile && hasSum) return verifyExisting(t);
  if (hasSum)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `${t.sumFile} exists but ${t.file} does not: the export was removed`,
    );
  const { staged, records } = await stageDay(log, t);
  // Not there, or left by an interrupted run (no checksum yet): then it must equal what the journal holds.
  const created = await publishNew(staged, t.file);
  if (!created) await assertSameExport(t, staged.sha256);
  await publishChecksum(t, staged.sha256);
  await syncDir(t.dir);
  return result(t, created ? "written" : "completed", records, staged);
}

async function exportPartial(log: LogReader, t: Target): Promise<AuditExportResult> {
  const { staged, records } = await stageDay(log, t);
  const sum = await stageFile(t.dir, t.sumName, [Buffer.from(checksumLine(staged.sha256, t.name))]);
  await publishReplacing(staged, t.file);
  await publishReplacing(sum, t.sumFile);
  await syncDir(t.dir);
  return result(t, "written", records, staged);
}

async function stageDay(log: LogReader, t: Target): Promise<{ staged: StagedFile; records: number }> {
  const tally: ScanTally = { records: 0 };
  const staged = await stageFile(t.dir, t.name, dayLines(log, t.day, tally));
  return { staged, records: tally.records };
}

/** The no-op re-run: the existing export must match its checksum file, else it was altered. */
async function verifyExisting(t: Target): Promise<AuditExportResult> {
  const recorded = parseChecksumLine(await readChecksumFile(t.sumFile), t.name);
  if (recorded === null)
    throw new VigilError("INTEGRITY_FAILURE", `${t.sumFile} is not a sha256sum line for ${t.name}`);
  const d = await digestFile(t.file);
  if (d.sha256 !== recorded)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `${t.file} does not match its checksum in ${t.sumFile}: the export was altered`,
    );
  return result(t, "exists", d.lines, d);
}

async function assertSameExport(t: Target, sha256: string): Promise<void> {
  const d = await digestFile(t.file);
  if (d.sha256 !== sha256)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `${t.file} has no checksum file and differs from the journal's records for ${t.day}`,
    );
}

async function publishChecksum(t: Target, sha256: string): Promise<void> {
  const sum = await stageFile(t.dir, t.sumName, [Buffer.from(checksumLine(sha256, t.name))]);
  if (await publishNew(sum, t.sumFile)) return;
  // A concurrent run got there first: it must have recorded the same digest.
  if (parseChecksumLine(await readChecksumFile(t.sumFile), t.name) !== sha256)
    throw new VigilError("INTEGRITY_FAILURE", `${t.sumFile} does not match ${t.file}`);
}

function result(
  t: Target,
  status: AuditExportStatus,
  records: number,
  d: { sha256: string; bytes: number },
): AuditExportResult {
  return {
    format: "vigil.audit-export",
    v: 1,
    day: t.day,
    partial: t.partial,
    status,
    file: t.file,
    checksumFile: t.sumFile,
    records,
    bytes: d.bytes,
    sha256: d.sha256,
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw fsError(path, e);
  }
}
