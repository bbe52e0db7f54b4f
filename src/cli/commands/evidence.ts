import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import { inspectArtifact, requireArtifact } from "../../app/evidence-queries.js";
import { projectAll } from "../../app/projection.js";
import type { Vigil } from "../../app/vigil.js";
import { commitEvidence, rowSummary } from "../../domains/evidence/evidence-service.js";
import { ingestFile, ingestStream } from "../../domains/evidence/ingest.js";
import { parseArtifactId, parseEvidenceMeta } from "../../domains/evidence/metadata.js";
import { provenance } from "../../domains/evidence/provenance.js";
import { VigilError } from "../../errors.js";
import type { EvidenceFilter } from "../../storage/evidence-index.js";
import { setExitCode, withVigil } from "../context.js";
import { formatBytes, table, type Output } from "../output.js";
import { collectLabel, parseIntArg } from "../parse-args.js";
import { writeOutputFile } from "../write-output.js";
import { runAddBatch } from "./add-batch.js";
import { metaOptions, printOutcome, rawMeta, type AddFlags } from "./evidence-flags.js";

async function add(v: Vigil, out: Output, file: string, flags: AddFlags): Promise<void> {
  const today = v.clock.now().toISOString().slice(0, 10);
  const meta = parseEvidenceMeta(
    rawMeta(flags, today, file === "-" ? null : file),
    "evidence add",
    v.config.retentionClasses,
  );
  const contents =
    file === "-"
      ? await ingestStream(process.stdin, v.config.inlineLimit, v.blobs)
      : await ingestFile(file, v.config.inlineLimit, v.blobs);
  const [o] = await commitEvidence(
    { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll },
    [{ contents, meta }],
  );
  if (o === undefined) throw new VigilError("INTERNAL", "no outcome");
  if (o.status === "conflict") throw new VigilError("CONFLICT", `${o.id}: ${o.message}`);
  if (o.status === "missing-parent") throw new VigilError("INPUT_INVALID", `${o.id}: ${o.message}`);
  printOutcome(out, o);
}

function requireRow(v: Vigil, id: string, tenant: string) {
  return requireArtifact(v, parseArtifactId(id), tenant);
}

async function get(v: Vigil, id: string, outFile: string | undefined, tenant: string): Promise<void> {
  const row = await requireRow(v, id, tenant);
  const { state } = await v.evidence.lifecycle(row.leafIndex);
  if (state?.state === "expired") {
    throw new VigilError(
      "NOT_FOUND",
      `${id}: contents expired on ${state.fact.at.slice(0, 10)} (${state.fact.reason}); the record remains`,
    );
  }
  if (state?.state === "corrupted")
    process.stderr.write(
      `vigil: warning: ${id} is marked corrupted (${state.fact.reason}); these bytes may not match their digest\n`,
    );
  const src = await v.blobs.open(row.digest);
  if (outFile === undefined) return pipeline(src, process.stdout, { end: false });
  await writeOutputFile(outFile, src);
}

export function registerEvidenceCommands(program: Command): void {
  const ev = program.command("evidence").description("add, read and list evidence artifacts");
  metaOptions(ev.command("add <file>").description("add one artifact (FILE, or - for stdin)")).action(
    async (file: string, f: AddFlags, cmd: Command) =>
      withVigil(cmd, (v, out, g) => add(v, out, file, { ...f, tenant: g.tenant })),
  );
  metaOptions(
    ev
      .command("add-batch <source>")
      .description("add many artifacts: a directory, or a JSONL file of {path, domain, name, ...} lines")
      .option("--batch-size <n>", "artifacts per durable commit", parseIntArg("--batch-size", 1), 1000),
  ).action(async (source: string, f: AddFlags & { batchSize: number }, cmd: Command) =>
    withVigil(cmd, (v, out, g) => runAddBatch(v, out, source, { ...f, tenant: g.tenant })),
  );
  ev.command("get <id>")
    .description("write an artifact's contents to stdout or -o FILE")
    .option("-o, --output <file>", "write to FILE (atomically)")
    .action(async (id: string, f: { output?: string }, cmd: Command) =>
      withVigil(cmd, (v, _out, g) => get(v, id, f.output, g.tenant)),
    );
  ev.command("inspect <id>")
    .description("show an artifact's metadata and journal position")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withVigil(cmd, async (v, out, g) => {
        const value = await inspectArtifact(v, await requireRow(v, id, g.tenant));
        out.result(value, () =>
          table(Object.entries(value).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)])),
        );
      }),
    );
  ev.command("exists <id>")
    .description("exit 0 if the artifact exists, 3 if not")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withVigil(cmd, async (v, out, g) => {
        const row = await v.evidence.get(parseArtifactId(id), g.tenant);
        out.result({ id, exists: row !== null }, () => (row !== null ? "exists" : "not found"));
        if (row === null) setExitCode(3);
      }),
    );
  ev.command("list")
    .description("list artifacts, filtered")
    .option("--domain <d>")
    .option("--subdomain <s>")
    .option("--kind <k>")
    .option("--from <YYYY-MM-DD>", "evidence date on or after")
    .option("--to <YYYY-MM-DD>", "evidence date on or before")
    .option("--label <k=v>", "label filter, repeatable", collectLabel)
    .option("--limit <n>", "at most N rows", parseIntArg("--limit", 1))
    .action(async (f: EvidenceFilter & { label?: Record<string, string> }, cmd: Command) =>
      withVigil(cmd, async (v, out, g) => {
        const rows = (await v.evidence.list({ ...f, labels: f.label, tenant: g.tenant })).map(rowSummary);
        out.result(rows, () =>
          rows.length === 0
            ? "no artifacts"
            : table([
                ["ID", "LEAF", "SIZE", "KIND", "PATH"],
                ...rows.map((r) => [
                  r.id.slice(0, 19),
                  String(r.leafIndex),
                  formatBytes(r.size),
                  r.kind,
                  r.path,
                ]),
              ]),
        );
      }),
    );
  ev.command("provenance <id>")
    .description("an artifact's parents, recursively")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withVigil(cmd, async (v, out, g) => {
        const tree = await provenance(v.evidence, parseArtifactId(id), g.tenant);
        out.result(tree, () => tree.lines.join("\n"));
      }),
    );
}
