import { randomInt } from "node:crypto";
import type { Command } from "commander";
import { runVerification } from "../../app/verification.js";
import { latestReport } from "../../app/verify-reports.js";
import { VigilError } from "../../errors.js";
import type { VerifyReport } from "../../verify/report.js";
import { outputFor, setExitCode, withLocker } from "../context.js";
import { runOfflineVerify, type OfflineVerifyOptions } from "./pack.js";
import { formatBytes, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";

function renderReport(out: Output, r: VerifyReport, id: string | null): string {
  const head = `${r.result === "passed" ? out.color.ok("PASSED") : out.color.bad("FAILED")}  ${r.mode} verification of ${r.journalSize} journal entries in ${r.seconds.toFixed(2)} s`;
  const c = r.counts;
  const body = `  artifacts ${c.artifacts} (${formatBytes(c.bytes)}), leaves ${c.leaves}, nodes ${c.nodes}, anchors ${c.anchors}${r.seed !== null ? `, seed ${r.seed}` : ""}`;
  const problems = r.findings.map((f) => `  ${out.color.bad(f.kind)} ${f.id}: ${f.problem}`);
  const known =
    (r.expected ?? []).length > 0
      ? [
          `  ${(r.expected ?? []).length} known states (expired contents, artifacts marked corrupted): see --json`,
        ]
      : [];
  return [head, body, ...problems, ...known, id ? out.color.dim(`  report stored as ${id}`) : ""]
    .filter((s) => s !== "")
    .join("\n");
}

export function registerVerifyCommands(program: Command): void {
  program
    .command("verify")
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
        if (f.offline) return runOfflineVerify(f, outputFor(cmd));
        if (f.input !== undefined || f.trustedKey !== undefined || f.sinceCheckpoint !== undefined) {
          throw new VigilError("USAGE", "--input, --trusted-key and --since-checkpoint go with --offline");
        }
        return withLocker(cmd, async (v, out) => {
          if (f.mode !== "quick" && f.mode !== "full")
            throw new VigilError("USAGE", `--mode must be quick or full, got ${JSON.stringify(f.mode)}`);
          const { report, reportId } = await runVerification(
            v,
            { mode: f.mode, sample: f.sample, seed: f.seed ?? randomInt(2 ** 31) },
            (stage, n) => out.progress(`verifying ${stage}`, n),
          );
          out.endProgress();
          out.result({ ...report, reportId }, () => renderReport(out, report, reportId));
          if (report.result === "failed") setExitCode(1);
        });
      },
    );
  program
    .command("verify-report")
    .description("show a stored verification report")
    .option("--latest", "the most recent report (default)")
    .option("--filter <what>", "failed: only the findings")
    .option("--format <fmt>", "text or json", "text")
    .action(async (f: { filter?: string; format: string }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        if (f.filter !== undefined && f.filter !== "failed")
          throw new VigilError("USAGE", "--filter accepts only: failed");
        if (f.format !== "text" && f.format !== "json")
          throw new VigilError("USAGE", "--format must be text or json");
        const latest = await latestReport(v);
        if (latest === null)
          throw new VigilError("NOT_FOUND", "no verification report yet (run: vigil verify)");
        const value = f.filter === "failed" ? latest.report.findings : { id: latest.id, ...latest.report };
        if (f.format === "json" || out.json) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
        else if (f.filter === "failed")
          process.stdout.write(
            `${latest.report.findings.length === 0 ? "no failures" : latest.report.findings.map((x) => `${x.kind} ${x.id}: ${x.problem}`).join("\n")}\n`,
          );
        else process.stdout.write(`${renderReport(out, latest.report, latest.id)}\n`);
      }),
    );
}
