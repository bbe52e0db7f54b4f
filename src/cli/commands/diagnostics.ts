import type { Command } from "commander";
import { collectDiagnostics } from "../../diagnostics/collect-diagnostics.js";
import { writeDiagnosticsArchive } from "../../diagnostics/write-archive.js";
import { withLocker } from "../context.js";
import { formatBytes } from "../output.js";

/** The root program's --version string. */
function programVersion(cmd: Command): string {
  let root = cmd;
  while (root.parent !== null) root = root.parent;
  return root.version() ?? "unknown";
}

export function registerDiagnosticsCommands(program: Command): void {
  program
    .command("diagnostics")
    .description(
      "write a support bundle (.tar.gz): index status, storage stats, anchors, last verify report, recent record summaries, doctor, versions; never keys, contents or metadata values",
    )
    .requiredOption("-o, --output <file>", "the archive to write, e.g. diagnostics.tar.gz")
    .action(async (f: { output: string }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const createdAt = v.clock.now();
        const files = await collectDiagnostics(v, { vigilVersion: programVersion(cmd), createdAt });
        const r = await writeDiagnosticsArchive(f.output, files, createdAt);
        out.result(
          { format: "vigil.diagnostics-result", v: 1, createdAt: createdAt.toISOString(), ...r },
          () => `wrote ${r.file} (${formatBytes(r.bytes)}, ${r.entries.length} files)`,
        );
      }),
    );
}
