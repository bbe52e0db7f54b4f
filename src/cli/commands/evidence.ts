import { pipeline } from "node:stream/promises";
import type { Command } from "commander";
import type { ListFilter, VigilClient } from "../../client/vigil-client.js";
import { systemClock } from "../../clock.js";
import { parseArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import { setExitCode, withClient, withLocker } from "../context.js";
import { formatBytes, table, type Output } from "../output.js";
import { collectLabel, parseIntArg } from "../parse-args.js";
import { remoteCapable } from "../remote.js";
import { writeOutputFile } from "../../storage/fs/write-output-file.js";
import { runAddBatch } from "./add-batch.js";
import { metaOptions, printOutcome, rawMeta, type AddFlags } from "./evidence-flags.js";

async function add(c: VigilClient, out: Output, file: string, flags: AddFlags): Promise<void> {
  const today = systemClock.now().toISOString().slice(0, 10);
  const o = await c.add(file, rawMeta(flags, today, file === "-" ? null : file));
  if (o.status === "conflict") throw new VigilError("CONFLICT", `${o.id}: ${o.message}`);
  if (o.status === "missing-parent") throw new VigilError("INPUT_INVALID", `${o.id}: ${o.message}`);
  printOutcome(out, o);
}

async function get(c: VigilClient, id: string, outFile: string | undefined): Promise<void> {
  const { stream, warning } = await c.contents(parseArtifactId(id));
  if (warning !== null) process.stderr.write(`vigil: warning: ${warning}\n`);
  if (outFile === undefined) return pipeline(stream, process.stdout, { end: false });
  await writeOutputFile(outFile, stream);
}

export function registerEvidenceCommands(program: Command): void {
  const ev = program.command("evidence").description("add, read and list evidence artifacts");
  metaOptions(
    remoteCapable(ev.command("add <file>").description("add one artifact (FILE, or - for stdin)")),
  ).action(async (file: string, f: AddFlags, cmd: Command) =>
    withClient(cmd, (c, out, g) => add(c, out, file, { ...f, tenant: g.tenant })),
  );
  metaOptions(
    ev
      .command("add-batch <source>")
      .description("add many artifacts: a directory, or a JSONL file of {path, domain, name, ...} lines")
      .option("--batch-size <n>", "artifacts per durable commit", parseIntArg("--batch-size", 1), 1000),
  ).action(async (source: string, f: AddFlags & { batchSize: number }, cmd: Command) =>
    withLocker(cmd, (v, out, g) => runAddBatch(v, out, source, { ...f, tenant: g.tenant })),
  );
  remoteCapable(ev.command("get <id>"))
    .description("write an artifact's contents to stdout or -o FILE")
    .option("-o, --output <file>", "write to FILE (atomically)")
    .action(async (id: string, f: { output?: string }, cmd: Command) =>
      withClient(cmd, (c) => get(c, id, f.output)),
    );
  remoteCapable(ev.command("inspect <id>"))
    .description("show an artifact's metadata and journal position")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const value = await c.inspect(parseArtifactId(id));
        out.result(value, () =>
          table(Object.entries(value).map(([k, x]) => [k, typeof x === "string" ? x : JSON.stringify(x)])),
        );
      }),
    );
  remoteCapable(ev.command("exists <id>"))
    .description("exit 0 if the artifact exists, 3 if not")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const exists = await c.exists(parseArtifactId(id));
        out.result({ id, exists }, () => (exists ? "exists" : "not found"));
        if (!exists) setExitCode(3);
      }),
    );
  remoteCapable(ev.command("list"))
    .description("list artifacts, filtered")
    .option("--domain <d>")
    .option("--subdomain <s>")
    .option("--kind <k>")
    .option("--from <YYYY-MM-DD>", "evidence date on or after")
    .option("--to <YYYY-MM-DD>", "evidence date on or before")
    .option("--label <k=v>", "label filter, repeatable", collectLabel)
    .option("--limit <n>", "at most N rows", parseIntArg("--limit", 1))
    .action(async (f: ListFilter & { label?: Record<string, string> }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const { label, ...filter } = f;
        const rows = await c.list({ ...filter, labels: label });
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
  remoteCapable(ev.command("provenance <id>"))
    .description("an artifact's parents, recursively")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const tree = await c.provenance(parseArtifactId(id));
        out.result(tree, () => tree.lines.join("\n"));
      }),
    );
}
