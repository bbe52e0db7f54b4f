import { existsSync, readFileSync } from "node:fs";
import type { Command } from "commander";
import { lockerPaths } from "../../app/paths.js";
import { runVerification } from "../../app/verification.js";
import { openVigil, type Vigil } from "../../app/vigil.js";
import { VigilError } from "../../errors.js";
import { listBackups, resolveBackup, type BackupSummary } from "../../lifecycle/backup-catalog.js";
import { createBackup } from "../../lifecycle/backup-create.js";
import { verifyBackup } from "../../lifecycle/backup-verify.js";
import { startNewChain } from "../../lifecycle/new-chain.js";
import { rollBackInPlace, rollBackInto, type Rollback } from "../../lifecycle/point-in-time.js";
import { restoreBackup } from "../../lifecycle/restore-backup.js";
import type { VerifyReport } from "../../verify/report.js";
import { globalOptions, outputFor, setExitCode, withLocker, withVigil } from "../context.js";
import { formatBytes, table, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";

/** `backup create|list|verify`, `restore`, and `anchor new-chain` (call after registerAnchorCommands). */
export function registerBackupCommands(program: Command): void {
  const bk = program.command("backup").description("consistent online backups of the locker");
  bk.command("create")
    .description("back up the locker while it keeps accepting writes (manifest written last)")
    .option("-o, --output <dir>", "backup directory (default <data>/backups/<id>)")
    .option("--include-signing-key", "also copy keys/signing.key (mode 0600)")
    .action(async (f: { output?: string; includeSigningKey?: boolean }, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const { dir, manifest: m } = await createBackup(v, {
          dir: f.output,
          includeSigningKey: f.includeSigningKey,
        });
        const anchor = m.anchor === null ? "no anchor yet" : `anchor ${m.anchor.seq} (size ${m.anchor.size})`;
        out.result(
          {
            id: m.id,
            dir,
            createdAt: m.createdAt,
            anchor: m.anchor,
            journalSize: m.journalSize,
            files: m.files.length,
          },
          () =>
            `backup ${m.id} written to ${dir}\ncovers ${anchor}, journal ${m.journalSize} entries, ${m.files.length} files`,
        );
      }),
    );
  bk.command("list")
    .description("complete backups (those with a manifest), oldest first")
    .option("--dir <dir>", "where the backups are (default <data>/backups)")
    .action((f: { dir?: string }, cmd: Command) => {
      const listing = listBackups(backupsRoot(cmd, f.dir));
      const out = outputFor(cmd);
      out.result(listing.backups, () => renderList(listing.backups));
      if (listing.incomplete.length > 0)
        out.info(`(${listing.incomplete.length} incomplete backup(s) ignored)`);
    });
  bk.command("verify <id>")
    .description("check a backup's files against its manifest and its anchor against the copied journal")
    .option("--dir <dir>", "where the backups are (default <data>/backups)")
    .action(async (id: string, f: { dir?: string }, cmd: Command) => {
      const check = await verifyBackup(resolveBackup(id, backupsRoot(cmd, f.dir)), liveVerifierKey(cmd));
      const out = outputFor(cmd);
      out.result(check, () =>
        [
          `${check.ok ? out.color.ok("ok") : out.color.bad("FAIL")}  backup ${check.id}: ${check.files} files, ${formatBytes(check.bytes)}, journal ${check.journalSize}`,
          ...check.problems.map((p) => `    ${p}`),
        ].join("\n"),
      );
      if (!check.ok) setExitCode(1);
    });
  registerRestore(program);
  registerNewChain(program);
}

function backupsRoot(cmd: Command, dir: string | undefined): string {
  return dir ?? lockerPaths(globalOptions(cmd).data).backups;
}

/** The live locker's verifier key, when there is one: trusted over the key inside a backup. */
function liveVerifierKey(cmd: Command): string | undefined {
  const path = lockerPaths(globalOptions(cmd).data).verifierKey;
  return existsSync(path) ? readFileSync(path, "utf8").trim() : undefined;
}

function renderList(rows: readonly BackupSummary[]): string {
  if (rows.length === 0) return "no backups";
  return table([
    ["ID", "CREATED", "ANCHOR", "JOURNAL", "SIZE"],
    ...rows.map((b) => [
      b.id,
      b.createdAt,
      b.anchor === null ? "-" : `${b.anchor.seq} (size ${b.anchor.size})`,
      String(b.journalSize),
      formatBytes(b.bytes),
    ]),
  ]);
}

interface RestoreFlags {
  backup?: string;
  /** The runbook's spelling (stella-evidence-locker-runbook DR-001). */
  backupId?: string;
  toAnchor?: number;
  target?: string;
  dir?: string;
  signingKey?: string;
}

function registerRestore(program: Command): void {
  program
    .command("restore")
    .description("restore a backup into a new locker, or roll a locker back to an anchor (point in time)")
    .option("--backup <id>", "the backup to restore (an id under <data>/backups, or a directory)")
    .option("--backup-id <id>", "the same as --backup")
    .option("--to-anchor <n>", "roll back to exactly the tree of anchor N", parseIntArg("--to-anchor", 1))
    .option("--target <dir>", "restore into this new directory (required with --backup)")
    .option("--dir <dir>", "where the backups are (default <data>/backups)")
    .option("--signing-key <file>", "the locker's signing key, when the backup holds none")
    .action(async (f: RestoreFlags, cmd: Command) => {
      if (f.backup !== undefined && f.backupId !== undefined && f.backup !== f.backupId)
        throw new VigilError("USAGE", "restore: --backup and --backup-id name different backups");
      const backup = f.backup ?? f.backupId;
      if ((backup === undefined) === (f.toAnchor === undefined))
        throw new VigilError("USAGE", "restore: give exactly one of --backup ID or --to-anchor N");
      if (backup !== undefined) return restoreFromBackup(cmd, f, backup);
      return withVigil(cmd, async (v, out) => rollBack(v, out, f.toAnchor as number, f.target));
    });
}

async function restoreFromBackup(cmd: Command, f: RestoreFlags, id: string): Promise<void> {
  if (f.target === undefined)
    throw new VigilError("USAGE", "restore --backup needs --target DIR (a new directory)");
  const data = globalOptions(cmd).data;
  const dir = resolveBackup(id, backupsRoot(cmd, f.dir));
  const restored = await restoreBackup(dir, f.target, { signingKeyFile: f.signingKey, locker: data });
  const v = openVigil(restored.target);
  const out = outputFor(cmd);
  try {
    const { report, reportId } = await runVerification(v, { mode: "full", sample: 0, seed: 0 });
    const m = restored.manifest;
    out.result(
      {
        restored: m.id,
        target: restored.target,
        anchor: m.anchor,
        verification: summarize(report, reportId),
      },
      () =>
        [
          `restored backup ${m.id} into ${restored.target} (journal ${m.journalSize} entries)`,
          verdict(out, report),
        ].join("\n"),
    );
    if (report.result !== "passed") setExitCode(1);
  } finally {
    await v.close();
  }
}

async function rollBack(v: Vigil, out: Output, seq: number, target: string | undefined): Promise<void> {
  const r: Rollback =
    target === undefined ? await rollBackInPlace(v, seq) : await rollBackInto(v, seq, target);
  out.result(r, () =>
    [
      r.backup === null ? null : `automatic backup ${r.backup.id} (${r.backup.dir})`,
      `${r.dataDir} rolled back to anchor ${r.anchor.seq}: size ${r.anchor.size}, root ${r.anchor.root} (recomputed and equal)`,
      `removed ${r.removedEntries} entries, ${r.removedAnchors} later anchors, ${r.unlinkedFiles} unreferenced files`,
      ...r.contentsMissing.map((id) => out.color.bad(`contents missing (expired after the anchor): ${id}`)),
    ]
      .filter((l): l is string => l !== null)
      .join("\n"),
  );
}

function summarize(r: VerifyReport, reportId: string | null) {
  return { result: r.result, mode: r.mode, journalSize: r.journalSize, findings: r.findings, reportId };
}

function verdict(out: Output, r: VerifyReport): string {
  const head = r.result === "passed" ? out.color.ok("PASSED") : out.color.bad("FAILED");
  const lines = r.findings.map((x) => `  ${out.color.bad(x.kind)} ${x.id}: ${x.problem}`);
  return [`${head}  full verification of ${r.journalSize} journal entries`, ...lines].join("\n");
}

function registerNewChain(program: Command): void {
  const anchor = program.commands.find((c) => c.name() === "anchor");
  if (anchor === undefined) throw new Error("registerBackupCommands must run after registerAnchorCommands");
  anchor
    .command("new-chain")
    .description("start a new anchor chain segment after an unrecoverable break (the old one is archived)")
    .requiredOption("--reason <text>", "why the chain restarts (recorded in the journal)")
    .action(async (f: { reason: string }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const c = await startNewChain(v, f.reason);
        const prev = c.previous === null ? "none" : `anchor ${c.previous.seq} (size ${c.previous.size})`;
        out.result(
          {
            segment: c.segment,
            recordLeaf: c.recordLeaf,
            previous: c.previous,
            anchor: { seq: c.anchor.seq, size: c.anchor.size, root: c.anchor.root.toString("base64") },
          },
          () =>
            `chain segment ${c.segment} started (record at leaf ${c.recordLeaf}, previous ${prev})\nanchor ${c.anchor.seq} signed: size ${c.anchor.size}`,
        );
      }),
    );
}
