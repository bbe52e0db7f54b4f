import type { Command } from "commander";
import { VigilError } from "../../errors.js";
import type { PackChoice } from "../../client/vigil-client.js";
import type { ExportResult } from "../../packs/export-pack.js";
import { loadCheckpointFile, loadTrustedKey } from "../../packs/trusted-key.js";
import { parseTrustedKey, verifyPackFile, type PackReport } from "../../packs/verify-pack.js";
import { setExitCode, withClient } from "../context.js";
import { formatBytes, type Output } from "../output.js";
import { collectLabel } from "../parse-args.js";
import { remoteCapable } from "../remote.js";

interface ExportFlags {
  id?: string[];
  query?: boolean;
  domain?: string;
  subdomain?: string;
  kind?: string;
  from?: string;
  to?: string;
  label?: Record<string, string>;
  includeDeps?: boolean;
  output: string;
}

/** Options of `vigil verify --offline`. */
export interface OfflineVerifyOptions {
  readonly input?: string;
  readonly trustedKey?: string;
  readonly sinceCheckpoint?: string;
}

function selection(f: ExportFlags): PackChoice {
  const filters = {
    domain: f.domain,
    subdomain: f.subdomain,
    kind: f.kind,
    from: f.from,
    to: f.to,
    labels: f.label,
  };
  const filtered = Object.values(filters).some((v) => v !== undefined);
  if ((f.id !== undefined) === (f.query === true))
    throw new VigilError("USAGE", "give either --id ID... or --query [filters]");
  if (f.id !== undefined) {
    if (filtered) throw new VigilError("USAGE", "filters (--domain, --kind, ...) need --query, not --id");
    return { ids: f.id };
  }
  return { query: filters };
}

function renderExport(r: ExportResult): string {
  const what = `${r.artifacts.length} artifact(s), ${r.files} files, ${formatBytes(r.bytes)}`;
  const sum = r.sha256 === null ? "" : `\nsha256 ${r.sha256}`;
  return `pack written to ${r.output} (${r.format}): ${what}, against anchor ${r.checkpoint.seq} (size ${r.checkpoint.size})${sum}`;
}

export function registerPackCommands(program: Command): void {
  remoteCapable(program.command("export"))
    .description("write a self-contained evidence pack (PACK.tar.gz or a new directory), verifiable offline")
    .option("--id <id...>", "artifact ids (repeatable)")
    .option("--query", "select artifacts by the filters below (as evidence list)")
    .option("--domain <d>")
    .option("--subdomain <s>")
    .option("--kind <k>")
    .option("--from <YYYY-MM-DD>", "evidence date on or after")
    .option("--to <YYYY-MM-DD>", "evidence date on or before")
    .option("--label <k=v>", "label filter, repeatable", collectLabel)
    .option("--include-deps", "also every provenance parent, recursively")
    .requiredOption("-o, --output <pack>", "PACK.tar.gz (or .tgz), or a directory to create")
    .action(async (f: ExportFlags, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const r = await c.exportPack(selection(f), f.includeDeps === true, f.output);
        out.result(r, () => renderExport(r));
      }),
    );
}

function renderReport(out: Output, input: string, r: PackReport): string {
  const head = r.ok
    ? `${out.color.ok("PASSED")}  offline verification of ${input}: ${r.artifacts} artifact(s), ${r.files} files, checkpoint ${r.origin} size ${r.checkpoint.size}`
    : `${out.color.bad("FAILED")}  offline verification of ${input}: ${r.findings.length} problem(s)`;
  const since =
    r.since === null
      ? []
      : [
          `  since-checkpoint size ${r.since.size ?? "?"}: ${r.since.consistent ? "consistent" : "NOT consistent"}`,
        ];
  const problems = r.findings.map(
    (f) => `  ${out.color.bad(f.file)}${f.artifact === null ? "" : ` (${f.artifact})`}: ${f.problem}`,
  );
  return [head, ...since, ...problems].join("\n");
}

/**
 * `vigil verify --offline --input PACK --trusted-key KEY [--since-checkpoint FILE]`:
 * no locker, no network. Exit 0 verified, 1 integrity failure, 5 malformed pack, 6 key problem.
 */
export async function runOfflineVerify(opts: OfflineVerifyOptions, out: Output): Promise<void> {
  if (opts.input === undefined) throw new VigilError("USAGE", "--offline needs --input PACK");
  if (opts.trustedKey === undefined)
    throw new VigilError(
      "USAGE",
      "--offline needs --trusted-key KEY (a verifier key you trust, or a file holding it)",
    );
  const trustedKey = await loadTrustedKey(opts.trustedKey);
  parseTrustedKey(trustedKey); // a bad key is exit 6 before anything is read
  const since =
    opts.sinceCheckpoint === undefined
      ? null
      : { name: opts.sinceCheckpoint, note: await loadCheckpointFile(opts.sinceCheckpoint) };
  const report = await verifyPackFile(opts.input, { trustedKey, since });
  if (report.keyProblems.length > 0) throw new VigilError("KEY_INVALID", report.keyProblems.join("; "));
  out.result(report, () => renderReport(out, opts.input as string, report));
  if (!report.ok) setExitCode(1);
}
