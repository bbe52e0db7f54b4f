import type { Command } from "commander";
import type { ReceiptAudit, ReceiptRow, RunSummary } from "../../domains/access/receipt-audit.js";
import { setExitCode, withClient } from "../context.js";
import { parseIntArg } from "../parse-args.js";
import { remoteCapable } from "../remote.js";
import type { Output } from "../output.js";

interface Flags {
  readonly since: string;
  readonly until?: string;
  readonly checkGaps?: boolean;
  readonly limit: number;
}

/** The most receipts a listing shows (the server's cap on one answer); runs and gaps cover all of them. */
const LIMIT = 10_000;

function row(r: ReceiptRow): string {
  return `${r.at}  ${r.tenant}  ${r.token} (${r.role})  ${r.action} ${r.target}  ${r.outcome} ${r.status}  [${r.server}#${r.seq}]`;
}

function run(r: RunSummary): string {
  return `  ${r.server}: ${r.receipts} receipts, started ${r.startedAt ?? "?"}, ${r.state === "stopped" ? `stopped ${r.stoppedAt ?? "?"}` : r.state}`;
}

function render(out: Output, a: ReceiptAudit): string {
  const lines = a.receipts.length === 0 ? ["no receipts in the window"] : a.receipts.map(row);
  lines.push(`server runs (${a.runs.length}):`, ...a.runs.map(run));
  if (a.gaps === null) return lines.join("\n");
  if (a.gaps.length === 0)
    lines.push(
      `${out.color.ok("ok")}  no gaps: every run is numbered 1..n and stopped, or is the current one`,
    );
  else
    lines.push(
      `${out.color.bad("GAPS")}  ${a.gaps.length} found:`,
      ...a.gaps.map((g) => `  ${g.server}: ${g.problem}`),
    );
  return lines.join("\n");
}

/** `vigil audit receipts`: who saw what, and with --check-gaps that the trail has no holes. */
export function registerReceiptsCommand(audit: Command): void {
  remoteCapable(audit.command("receipts"))
    .description(
      "list access receipts (who saw what; --tenant T for one tenant's); --check-gaps: every server run numbered 1..n, and stopped or current",
    )
    .requiredOption("--since <time>", "ISO 8601 day or date-time with a zone, or a duration ago (24h, 7d)")
    .option("--until <time>", "end of the window (exclusive), same forms")
    .option(
      "--check-gaps",
      "exit 1, naming each hole, when a run's numbering has a gap or a run never stopped",
    )
    .option("--limit <n>", "list at most N receipts", parseIntArg("--limit", 1, LIMIT), LIMIT)
    .action(async (f: Flags, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        // The global --tenant, when given, narrows the listing; without it every tenant's receipts are listed.
        const { tenant } = cmd.optsWithGlobals<{ tenant?: string }>();
        const a = await c.receipts({ ...f, tenant, checkGaps: f.checkGaps === true });
        out.result(a, () => render(out, a));
        if (!a.ok) setExitCode(1);
      }),
    );
}
