import { randomInt } from "node:crypto";
import type { Command } from "commander";
import type { ReportView } from "../../client/vigil-client.js";
import { VigilError } from "../../errors.js";
import { outputFor, setExitCode, withClient } from "../context.js";
import { remoteCapable, remoteOf } from "../remote.js";
import { runOfflineVerify, type OfflineVerifyOptions } from "./pack.js";
import { formatBytes, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";

function renderReport(out: Output, r: ReportView, id: string | null): string {
  const head = `${r.result === "passed" ? out.color.ok("PASSED") : out.color.bad("FAILED")}  ${r.mode} verification of ${r.journalSize} journal entries in ${r.seconds.toFixed(2)} s`;
  const seed = r.seed !== null ? `, seed ${r.seed}` : "";
  const c = r.counts;
  const log = `leaves ${c.leaves}, nodes ${c.nodes}, anchors ${c.anchors}${seed}`;
  if ("redacted" in r) {
    const hidden = r.findings > 0 ? [`  ${r.findings} finding(s), not shown to a token of one tenant`] : [];
    return [head, `  ${log}`, ...hidden, id ? out.color.dim(`  report stored as ${id}`) : ""]
      .filter((s) => s !== "")
      .join("\n");
  }
  const body = `  artifacts ${r.counts.artifacts} (${formatBytes(r.counts.bytes)}), ${log}`;
  const problems = r.findings.map((f) => `  ${out.color.bad(f.kind)} ${f.id}: ${f.problem}`);
  const expected = r.expected ?? []; // reports stored before `expected` existed
  const known =
    expected.length > 0
      ? [`  ${expected.length} known states (expired contents, artifacts marked corrupted): see --json`]
      : [];
  return [head, body, ...problems, ...known, id ? out.color.dim(`  report stored as ${id}`) : ""]
    .filter((s) => s !== "")
    .join("\n");
}

/** `verify-report --filter failed` as text. */
function renderFailed(r: ReportView): string {
  if ("redacted" in r) return `${r.findings} finding(s), not shown to a token of one tenant`;
  return r.findings.length === 0
    ? "no failures"
    : r.findings.map((x) => `${x.kind} ${x.id}: ${x.problem}`).join("\n");
}

export function registerVerifyCommands(program: Command): void {
  remoteCapable(program.command("verify"))
    .description("verify contents, records, tree and anchors (exit 1 on any integrity failure)")
    .option("--mode <mode>", "quick (sampled) or full", "quick")
    .option("--sample <n>", "quick mode: entries to sample", parseIntArg("--sample", 1), 100)
    .option("--seed <s>", "quick mode: PRNG seed, to repeat a run", parseIntArg("--seed", 0))
    .option(
      "--offline",
      "verify an evidence pack with no locker and no network (needs --input, --trusted-key)",
    )
    .option("--input <pack>", "--offline: the pack, PACK.tar.gz or its directory")
    .option(
      "--trusted-key <key>",
      "--offline: the verifier key you trust (the key text, or a file holding it)",
    )
    .option(
      "--since-checkpoint <file>",
      "--offline: a signed checkpoint you trust, which the pack must extend",
    )
    .action(
      async (
        f: { mode: string; sample: number; seed?: number; offline?: boolean } & OfflineVerifyOptions,
        cmd: Command,
      ) => {
        if (f.offline && remoteOf(cmd) !== null)
          throw new VigilError(
            "USAGE",
            "--offline reads a pack with no locker and no network: it does not take --server",
          );
        if (f.offline) return runOfflineVerify(f, outputFor(cmd));
        if (f.input !== undefined || f.trustedKey !== undefined || f.sinceCheckpoint !== undefined) {
          throw new VigilError("USAGE", "--input, --trusted-key and --since-checkpoint go with --offline");
        }
        return withClient(cmd, async (c, out) => {
          if (f.mode !== "quick" && f.mode !== "full")
            throw new VigilError("USAGE", `--mode must be quick or full, got ${JSON.stringify(f.mode)}`);
          const { report, reportId } = await c.verify(
            { mode: f.mode, sample: f.sample, seed: f.seed ?? randomInt(2 ** 31) },
            (stage, n) => out.progress(`verifying ${stage}`, n),
          );
          out.endProgress();
          out.result({ ...report, reportId }, () => renderReport(out, report, reportId));
          if (report.result === "failed") setExitCode(1);
        });
      },
    );
  remoteCapable(program.command("verify-report"))
    .description("show a stored verification report")
    .option("--latest", "the most recent report (default)")
    .option("--filter <what>", "failed: only the findings")
    .option("--format <fmt>", "text or json", "text")
    .action(async (f: { filter?: string; format: string }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        if (f.filter !== undefined && f.filter !== "failed")
          throw new VigilError("USAGE", "--filter accepts only: failed");
        if (f.format !== "text" && f.format !== "json")
          throw new VigilError("USAGE", "--format must be text or json");
        const latest = await c.latestReport();
        if (latest === null)
          throw new VigilError("NOT_FOUND", "no verification report yet (run: vigil verify)");
        const value = f.filter === "failed" ? latest.report.findings : { id: latest.id, ...latest.report };
        if (f.format === "json" || out.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        else if (f.filter === "failed") process.stdout.write(`${renderFailed(latest.report)}\n`);
        else process.stdout.write(`${renderReport(out, latest.report, latest.id)}\n`);
      }),
    );
}
