import type { Command } from "commander";
import type { LockerPorts } from "../../app/open-locker.js";
import { expire, retentionDue } from "../../domains/evidence/lifecycle.js";
import { formatArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import { withLocker } from "../context.js";
import { formatBytes, type Output } from "../output.js";
import { parseDuration } from "../parse-args.js";
import { lifecycleDeps } from "./lifecycle-deps.js";

const GROUP = 1000;

/** Expires due artifacts in groups: each group's records and inline deletions commit together. */
async function applyRetention(v: LockerPorts, out: Output, dryRun: boolean): Promise<void> {
  const due = await retentionDue(v.evidence, v.config.retentionDays, v.clock.now());
  const rows = due.map((d) => ({
    id: formatArtifactId(d.digest),
    retention: d.retention,
    date: d.date,
    size: d.size,
  }));
  if (dryRun) {
    out.result({ dryRun: true, due: rows }, () =>
      rows.length === 0
        ? "nothing is due"
        : `${rows.map((r) => `would expire ${r.id} (${r.retention}, ${r.date}, ${formatBytes(r.size)})`).join("\n")}\n${rows.length} artifacts would expire`,
    );
    return;
  }
  let freed = 0;
  for (let i = 0; i < due.length; i += GROUP) {
    const group = due.slice(i, i + GROUP);
    const files = await expire(
      lifecycleDeps(v),
      group,
      async (c) => (await v.blobs.stat(c.digest))?.inline === false,
    );
    // The records are durable: releasing the large contents now only frees space; a crash here
    // leaves files that `cleanup --temp-only` removes (on PostgreSQL, chunk rows nothing reads).
    for (const d of files) await v.blobs.release(d);
    freed += group.reduce((n, c) => n + c.size, 0);
    out.progress("expiring", Math.min(i + GROUP, due.length), due.length);
  }
  out.endProgress();
  out.result(
    { dryRun: false, expired: rows, bytesFreed: freed },
    () =>
      `${rows.length} artifacts expired, ${formatBytes(freed)} freed; their records remain in the journal`,
  );
}

/** Leftovers of interrupted writes, on either backend (BlobStore.removeLeftovers). */
async function cleanTemp(v: LockerPorts, out: Output, minAgeSeconds: number): Promise<void> {
  const removed = await v.blobs.removeLeftovers(new Date(v.clock.now().getTime() - minAgeSeconds * 1000));
  out.result({ removed }, () =>
    removed.length === 0 ? "no leftovers" : `${removed.join("\n")}\n${removed.length} leftovers removed`,
  );
}

export function registerCleanupCommands(program: Command): void {
  program
    .command("cleanup")
    .description(
      "apply retention (remove expired contents, keep their records) or remove leftovers of interrupted writes",
    )
    .option("--apply-retention", "expire artifacts whose retention class ran out (unless on hold)")
    .option("--dry-run", "with --apply-retention: list what would expire, change nothing")
    .option("--temp-only", "remove staging leftovers and unreferenced blob files")
    .option("--min-age <duration>", "with --temp-only: only files older than this", "10m")
    .action(
      async (
        f: { applyRetention?: boolean; dryRun?: boolean; tempOnly?: boolean; minAge: string },
        cmd: Command,
      ) =>
        withLocker(cmd, async (v, out) => {
          if (f.applyRetention === f.tempOnly)
            throw new VigilError("USAGE", "cleanup needs exactly one of --apply-retention or --temp-only");
          if (f.applyRetention) return applyRetention(v, out, f.dryRun === true);
          return cleanTemp(v, out, parseDuration(f.minAge));
        }),
    );
}
