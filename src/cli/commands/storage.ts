import type { Command } from "commander";
import type { StorageStats } from "../../client/vigil-client.js";
import { decodeStored, projectAll } from "../../app/projection.js";
import { requireEmbedded, type LockerPorts } from "../../app/open-locker.js";
import { parseArtifactId } from "../../domains/evidence/metadata.js";
import { rowSummary } from "../../domains/evidence/evidence-service.js";
import { VigilError } from "../../errors.js";
import type { DatabaseFootprint } from "../../storage/index-maintenance.js";
import { checkOpenedBlob } from "../../verify/blob-check.js";
import { setExitCode, withClient, withLocker } from "../context.js";
import { remoteCapable } from "../remote.js";
import { formatBytes, table } from "../output.js";
import { parseIntArg } from "../parse-args.js";

async function checkOne(v: LockerPorts, id: string, tenant: string) {
  const digest = parseArtifactId(id);
  const row = await v.evidence.get(digest, tenant);
  if (row === null) throw new VigilError("NOT_FOUND", `no artifact ${id}`);
  const info = await v.blobs.stat(digest);
  const finding =
    info === null
      ? { problem: "contents are not in the blob store" }
      : await checkOpenedBlob(v.blobs, digest, row.size);
  return {
    id: rowSummary(row).id,
    storage: info === null ? "missing" : info.inline ? "inline" : "file",
    size: row.size,
    ok: finding === null,
    problem: finding?.problem ?? null,
  };
}

function describeDatabase(d: DatabaseFootprint): string {
  return d.engine === "sqlite"
    ? `${formatBytes(d.bytes)} + WAL ${formatBytes(d.walBytes)}, ${d.freePages} free pages`
    : `${formatBytes(d.bytes)} (PostgreSQL ${d.version})`;
}

/** The whole locker's stats; a tenant-scoped token's (remote) have no blob or database lines. */
function renderStats(s: StorageStats): string {
  const whole =
    "blobs" in s
      ? [
          ["inline blobs", `${s.blobs.inline} (${formatBytes(s.blobs.inlineBytes)})`],
          ["file blobs", `${s.blobs.files} (${formatBytes(s.blobs.fileBytes)})`],
          ["database", describeDatabase(s.database)],
        ]
      : [["tenant", s.tenant]];
  return table([
    ["artifacts", `${s.artifacts} (${formatBytes(s.bytes)})`],
    ...whole,
    ["journal", `${s.journalSize} entries`],
    ...s.byKind.map((k) => [`  ${k.kind}`, `${k.artifacts} (${formatBytes(k.bytes)})`]),
  ]);
}

export function registerStorageCommands(program: Command): void {
  const st = program.command("storage").description("storage statistics and checks");
  remoteCapable(st.command("stats"))
    .description("artifact counts and bytes, blob placement, database size")
    .action(async (_f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const s = await c.storageStats();
        out.result(s, () => renderStats(s));
      }),
    );
  st.command("analyze")
    .description("the largest artifacts")
    .option("--sort <key>", "size", "size")
    .option("--limit <n>", "rows", parseIntArg("--limit", 1), 20)
    .action(async (f: { sort: string; limit: number }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        if (f.sort !== "size") throw new VigilError("USAGE", "--sort accepts only: size");
        const rows = (await v.evidence.list({ orderBy: "size", limit: f.limit })).map(rowSummary);
        out.result(rows, () =>
          table([
            ["SIZE", "ID", "PATH"],
            ...rows.map((r) => [formatBytes(r.size), r.id.slice(0, 19), r.path]),
          ]),
        );
      }),
    );
  st.command("check <id>")
    .description("rehash one artifact's contents (exit 1 if damaged)")
    .action(async (id: string, _f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out, g) => {
        const r = await checkOne(v, id, g.tenant);
        out.result(r, () =>
          r.ok
            ? `${out.color.ok("ok")}  ${r.id} (${r.storage}, ${formatBytes(r.size)})`
            : `${out.color.bad("FAIL")}  ${r.id}: ${r.problem}`,
        );
        if (!r.ok) setExitCode(1);
      }),
    );
  registerIndexCommands(program);
}

function registerIndexCommands(program: Command): void {
  const ix = program.command("index").description("the evidence index, a projection of the journal");
  remoteCapable(ix.command("status"))
    .description("index position, lag and row counts")
    .action(async (_f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const s = await c.indexStatus();
        const rows = s.rows === undefined ? "" : `, ${s.rows.evidence} evidence rows`;
        out.result(
          s,
          () =>
            `journal ${s.journalSize} entries, index at ${s.position} (${s.lag === 0 ? "in step" : `${s.lag} behind`})${rows}`,
        );
      }),
    );
  ix.command("rebuild")
    .description("replay the journal into a fresh index; prints the state hash")
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const total = await v.log.size();
        const r = await v.maintenance.rebuild(decodeStored, projectAll, (n) =>
          out.progress("replaying", n, total),
        );
        out.endProgress();
        out.result(
          r,
          () =>
            `replayed ${r.records} records in ${r.seconds.toFixed(2)} s (${Math.round(r.records / Math.max(r.seconds, 1e-9))}/s)\nstate hash ${r.stateHash}`,
        );
      }),
    );
  ix.command("optimize")
    .description("ANALYZE, VACUUM and checkpoint the WAL (SQLite; PostgreSQL's autovacuum does this)")
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (l, out) => {
        requireEmbedded(l, "index optimize").maintenance.optimize();
        out.result({ optimized: true }, () => "index optimized");
      }),
    );
}
