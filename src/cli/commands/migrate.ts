import type { Command } from "commander";
import type { MigrateResult } from "../../migrate/migrate.js";
import { outputFor } from "../context.js";
import { formatBytes } from "../output.js";

interface MigrateFlags {
  readonly from: string;
  readonly to: string;
  readonly targetDir: string;
}

export function registerMigrateCommands(program: Command): void {
  program
    .command("migrate")
    .description(
      "copy an embedded (SQLite) locker into an empty PostgreSQL database, proving the copy's root at every anchor",
    )
    .requiredOption("--from <dir>", "the embedded locker's data directory (read only; it may keep running)")
    .requiredOption("--to <url>", "an empty PostgreSQL database: postgresql://user@host/db (no password)")
    .requiredOption(
      "--target-dir <dir>",
      "the migrated locker's new data directory (vigil.json with the URL, the same keys)",
    )
    .action(async (f: MigrateFlags, cmd: Command) => {
      const out = outputFor(cmd);
      const { migrate } = await import("../../migrate/migrate.js");
      try {
        const r = await migrate({
          from: f.from,
          to: f.to,
          targetDir: f.targetDir,
          onProgress: (stage, done, total) => out.progress(stage, done, total),
        });
        out.endProgress();
        out.result(r, () => render(r));
      } finally {
        out.endProgress();
      }
    });
}

function render(r: MigrateResult): string {
  const divergent = r.anchors.archivedDivergent;
  return [
    `migrated locker ${r.lockerId} (${r.origin}) from ${r.from} to ${r.database}${r.restarted ? " (an unfinished earlier run was started over)" : ""}`,
    `copied ${r.entries} records and ${r.contents} contents (${formatBytes(r.bytes)})`,
    `proved: the root at each of ${r.anchors.checked} anchors is the signed one${divergent > 0 ? ` (${divergent} archived anchors differ from today's tree, as on the source)` : ""}; index state hash ${r.stateHash} on both`,
    `journal ${r.size} entries, root ${r.root ?? "(empty)"}`,
    `data directory ${r.targetDir}: run vigil --data ${r.targetDir} verify --mode full to check it independently`,
  ].join("\n");
}
