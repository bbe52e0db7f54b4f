import { Command, CommanderError } from "commander";
import { exitCodeFor, isVigilError } from "../errors.js";
import { registerAnchorCommands } from "./commands/anchor.js";
import { registerArchiveCommands } from "./commands/archive.js";
import { registerAuditCommands } from "./commands/audit.js";
import { registerBackupCommands } from "./commands/backup.js";
import { registerDiagnosticsCommands } from "./commands/diagnostics.js";
import { registerSystemdCommands } from "./commands/systemd.js";
import { registerEvidenceCommands } from "./commands/evidence.js";
import { registerLifecycleCommands } from "./commands/lifecycle.js";
import { registerLockerCommands } from "./commands/locker.js";
import { registerMigrateCommands } from "./commands/migrate.js";
import { registerPackCommands } from "./commands/pack.js";
import { registerProofCommands } from "./commands/proof.js";
import { registerReplicateCommands } from "./commands/replicate.js";
import { registerServeCommands } from "./commands/serve.js";
import { registerStorageCommands } from "./commands/storage.js";
import { registerTokenCommands } from "./commands/token.js";
import { registerTlogCommands } from "./commands/tlog.js";
import { registerVerifyCommands } from "./commands/verify.js";
import { refuseRemote } from "./remote.js";

export function buildProgram(): Command {
  const program = new Command("vigil")
    .description("Vigil: a tamper-evident evidence locker (RFC 6962 journal, signed C2SP checkpoints)")
    .version("0.1.0")
    .option("--data <dir>", "locker data directory (env VIGIL_DATA, default ./vigil-data)")
    .option("--json", "machine-readable JSON output")
    .option(
      "--tenant <name>",
      "the tenant whose evidence a command works on (env VIGIL_TENANT, default: default)",
    )
    .option("--server <url>", "work on the locker of a Vigil server (env VIGIL_SERVER; token in VIGIL_TOKEN)")
    .hook("preAction", refuseRemote)
    .showHelpAfterError(false)
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s.startsWith("error:") ? `vigil: ${s}` : s) });
  registerLockerCommands(program);
  registerEvidenceCommands(program);
  registerLifecycleCommands(program);
  registerAnchorCommands(program);
  registerProofCommands(program);
  registerVerifyCommands(program);
  registerStorageCommands(program);
  registerTlogCommands(program);
  registerPackCommands(program);
  registerArchiveCommands(program);
  registerBackupCommands(program);
  registerReplicateCommands(program);
  registerMigrateCommands(program);
  registerAuditCommands(program);
  registerSystemdCommands(program);
  registerDiagnosticsCommands(program);
  registerServeCommands(program);
  registerTokenCommands(program);
  for (const c of allCommands(program)) c.exitOverride().allowExcessArguments(false);
  return program;
}

function allCommands(c: Command): Command[] {
  return [c, ...c.commands.flatMap(allCommands)];
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildProgram().parseAsync([...argv]);
  } catch (e) {
    process.exitCode = handleError(e);
  }
  // For benchmarks: the process's own peak resident set size.
  if (process.env.VIGIL_REPORT_RSS) process.stderr.write(`peak-rss-kib ${process.resourceUsage().maxRSS}\n`);
}

/** The one place errors become exit codes and one-line messages. */
export function handleError(e: unknown): number {
  if (e instanceof CommanderError) {
    if (e.code === "commander.helpDisplayed" || e.code === "commander.version" || e.exitCode === 0) return 0;
    return exitCodeFor("USAGE");
  }
  if (isVigilError(e)) {
    process.stderr.write(`vigil: error [${e.code}]: ${oneLine(e.message)}\n`);
    return exitCodeFor(e.code);
  }
  const err = e as Error;
  process.stderr.write(`vigil: internal error: ${oneLine(err?.message ?? String(e))}\n`);
  if (process.env.VIGIL_DEBUG) process.stderr.write(`${err?.stack ?? ""}\n`);
  return exitCodeFor("INTERNAL");
}

/** Error messages may quote input (a JSON parser's excerpt): keep them to one line. */
function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, " ");
}
