import type { Command } from "commander";
import { exportAuditDay, type AuditExportResult } from "../../audit/audit-export.js";
import { parseDay, shiftDay, utcDay } from "../../audit/record-time.js";
import { pruneAuditExports, type RetentionResult } from "../../audit/retention.js";
import type { Clock } from "../../clock.js";
import { VigilError } from "../../errors.js";
import { withLocker } from "../context.js";
import { registerReceiptsCommand } from "./audit-receipts.js";
import { formatBytes, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";

interface ExportFlags {
  readonly date?: string;
  readonly yesterday?: boolean;
  readonly partial?: boolean;
  readonly outputDir: string;
  readonly retentionDays?: number;
}

/** The UTC day to export, or null when only retention was asked for. */
function chosenDay(f: ExportFlags, clock: Clock): string | null {
  if (f.date !== undefined && f.yesterday === true)
    throw new VigilError("USAGE", "give --date or --yesterday, not both");
  const today = utcDay(clock.now());
  if (f.yesterday === true) return shiftDay(today, -1);
  if (f.date !== undefined) return f.date;
  if (f.partial === true) return today;
  if (f.retentionDays === undefined)
    throw new VigilError("USAGE", "give --date YYYY-MM-DD, --yesterday, --partial or --retention-days N");
  return null;
}

function renderExport(out: Output, r: AuditExportResult): string {
  const what = `${r.file} (${r.records} records, ${formatBytes(r.bytes)})`;
  if (r.status === "exists")
    return `${out.color.ok("ok")}  ${what} already exported; matches its checksum, not rewritten`;
  if (r.status === "completed")
    return `${out.color.ok("ok")}  ${what} was already written; added its checksum ${r.checksumFile}`;
  return `wrote ${what}\n  and ${r.checksumFile}`;
}

function renderRetention(r: RetentionResult): string {
  if (r.removed.length === 0) return `no exports of days before ${r.cutoff} to remove`;
  return [
    `removed ${r.removed.length} files of days before ${r.cutoff}:`,
    ...r.removed.map((n) => `  ${n}`),
  ].join("\n");
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command("audit").description("daily audit exports of the journal, access receipts");
  registerReceiptsCommand(audit);
  audit
    .command("export")
    .description("write one UTC day's journal records as read-only JSONL plus a sha256sum file")
    .option("--date <day>", "the UTC day to export, YYYY-MM-DD (must be complete unless --partial)", parseDay)
    .option("--yesterday", "export the UTC day before today (for timers)")
    .option("--partial", "export today so far, as audit-DAY.partial.jsonl (replaced on each run)")
    .option("-o, --output-dir <dir>", "directory of the exports", ".")
    .option(
      "--retention-days <n>",
      "also remove exports of days more than N days before today (only with this flag)",
      parseIntArg("--retention-days", 1),
    )
    .action(async (f: ExportFlags, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const day = chosenDay(f, v.clock);
        const exported =
          day === null
            ? null
            : await exportAuditDay(
                { log: v.log, clock: v.clock },
                { dir: f.outputDir, day, partial: f.partial === true },
              );
        const retention =
          f.retentionDays === undefined
            ? null
            : await pruneAuditExports(f.outputDir, f.retentionDays, v.clock);
        out.result({ export: exported, retention }, () =>
          [exported && renderExport(out, exported), retention && renderRetention(retention)]
            .filter((s) => s !== null)
            .join("\n"),
        );
      }),
    );
}
