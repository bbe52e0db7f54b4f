import type { Command } from "commander";
import { systemClock } from "../../clock.js";
import { VigilError } from "../../errors.js";
import { LockerSource } from "../../replica/locker-source.js";
import { replicate, type ReplicateResult } from "../../replica/replicate.js";
import { outputFor } from "../context.js";
import { formatBytes, type Output } from "../output.js";

export function registerReplicateCommands(program: Command): void {
  program
    .command("replicate")
    .description(
      "make or update a read-only follower: copies anchored records and contents, checking consistency proofs",
    )
    .requiredOption("--from <dir>", "the source locker directory (opened read-only)")
    .requiredOption("--to <dir>", "the follower locker directory (created on the first run)")
    .action(async (f: { from: string; to: string }, cmd: Command) => {
      if (/^https?:\/\//i.test(f.from))
        throw new VigilError(
          "USAGE",
          "--from must be a locker directory: replicating from a URL comes with the HTTP server (vigil serve)",
        );
      const source = new LockerSource(f.from);
      try {
        const r = await replicate(source, f.to, systemClock);
        const out = outputFor(cmd);
        out.result(r, () => render(out, r));
      } finally {
        await source.close();
      }
    });
}

function render(out: Output, r: ReplicateResult): string {
  const at = r.latest === null ? "no anchors yet" : `anchor ${r.latest.seq} (size ${r.latest.size})`;
  return [
    `${r.created ? "created replica" : "updated replica"} ${r.to} of ${r.origin}`,
    `copied ${r.entries} records, ${r.contents} contents (${formatBytes(r.bytes)}), accepted ${r.anchors} anchors; now at ${at}`,
    ...r.contentsMissing.map((id) => out.color.bad(`contents unavailable at the source: ${id}`)),
  ].join("\n");
}
