import type { Command } from "commander";
import type { LockerPorts } from "../../app/open-locker.js";
import { formatArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import { exportPack } from "../../packs/export-pack.js";
import { withLocker } from "../context.js";
import { formatBytes } from "../output.js";
import { parseDuration } from "../parse-args.js";

/** Artifacts dated before the cutoff whose contents are still here (expired ones have none to archive). */
async function archivable(v: LockerPorts, before: string, tenant: string): Promise<string[]> {
  const rows = (await v.evidence.list({ to: before, tenant })).filter((r) => r.date < before);
  const ids: string[] = [];
  for (const r of rows)
    if ((await v.evidence.lifecycle(r.leafIndex)).state === null) ids.push(formatArtifactId(r.digest));
  return ids;
}

export function registerArchiveCommands(program: Command): void {
  program
    .command("archive")
    .description(
      "write old evidence (contents, records, proofs, checkpoint) to an archive that verify --offline accepts",
    )
    .requiredOption("--older-than <duration>", "evidence dated more than this long ago, e.g. 365d")
    .requiredOption("-o, --output <file>", "FILE.tar, FILE.tar.gz or a new directory")
    .action(async (f: { olderThan: string; output: string }, cmd: Command) =>
      withLocker(cmd, async (v, out, g) => {
        const before = new Date(v.clock.now().getTime() - parseDuration(f.olderThan) * 1000)
          .toISOString()
          .slice(0, 10);
        const ids = await archivable(v, before, g.tenant);
        if (ids.length === 0)
          throw new VigilError("NOT_FOUND", `no evidence dated before ${before} with contents to archive`);
        const r = await exportPack(v, {
          selection: { ids, tenant: g.tenant },
          includeDeps: false,
          output: f.output,
        });
        out.result(
          { before, ...r },
          () =>
            `archived ${r.artifacts.length} artifacts dated before ${before} to ${r.output} (${formatBytes(r.bytes)}, checkpoint ${r.checkpoint.seq})\nverify with: vigil verify --offline --input ${r.output} --trusted-key "$(vigil key show)"`,
        );
      }),
    );
}
