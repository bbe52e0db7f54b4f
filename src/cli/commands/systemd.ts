import { join, resolve } from "node:path";
import type { Command } from "commander";
import { ensureDir, publishReplacing, stageFile, syncDir } from "../../audit/atomic-file.js";
import { auditExportUnits, parseUnitPath, parseUserName, type UnitFile } from "../../audit/systemd-units.js";
import { globalOptions, outputFor } from "../context.js";

interface SystemdFlags {
  readonly user: string;
  readonly bin?: string;
  readonly outputDir?: string;
}

async function writeUnits(dir: string, units: readonly UnitFile[]): Promise<string[]> {
  await ensureDir(dir);
  const written: string[] = [];
  for (const u of units) {
    const staged = await stageFile(dir, u.name, [Buffer.from(u.content)], 0o644);
    await publishReplacing(staged, join(dir, u.name));
    written.push(join(dir, u.name));
  }
  await syncDir(dir);
  return written;
}

export function registerSystemdCommands(program: Command): void {
  program
    .command("systemd")
    .description(
      "print (or write) a hardened systemd service and daily timer that export yesterday's audit file",
    )
    .requiredOption("--user <name>", "the unprivileged user the export runs as (the locker's owner)")
    .option("--bin <path>", "absolute path of the vigil executable (default: this one)")
    .option("--output-dir <dir>", "write the two unit files here instead of printing them")
    .action(async (f: SystemdFlags, cmd: Command) => {
      const out = outputFor(cmd);
      const units = auditExportUnits({
        user: parseUserName(f.user),
        dataDir: parseUnitPath("--data", globalOptions(cmd).data),
        bin: parseUnitPath("--bin", f.bin ?? resolve(process.argv[1] ?? "vigil")),
      });
      const written = f.outputDir === undefined ? null : await writeUnits(f.outputDir, units);
      out.result({ units, written }, () =>
        written === null
          ? units.map((u) => `### ${u.name}\n${u.content}`).join("\n")
          : `wrote ${written.join(" and ")}\nthen: systemctl daemon-reload && systemctl enable --now vigil-audit-export.timer`,
      );
    });
}
