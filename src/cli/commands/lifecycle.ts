import type { Command } from "commander";
import { openContentSource } from "../../app/content-source.js";
import type { LockerPorts } from "../../app/open-locker.js";
import { sha256 } from "../../journal/index.js";
import { recordRecovery } from "../../domains/evidence/lifecycle.js";
import type { LifecycleAction } from "../../client/vigil-client.js";
import { parseArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import type { AppendItem } from "../../storage/log-store.js";
import { withClient, withLocker } from "../context.js";
import { remoteCapable } from "../remote.js";
import { registerCleanupCommands } from "./cleanup.js";
import { lifecycleDeps } from "./lifecycle-deps.js";

function lifecycleCommand(ev: Command, name: LifecycleAction, description: string, done: string): void {
  remoteCapable(ev.command(`${name} [id]`))
    .description(description)
    .option("--id <id>", "the artifact (instead of the positional id)")
    .option("--reason <text>", "why (required; recorded in the journal)")
    .action(async (pos: string | undefined, f: { id?: string; reason?: string }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const id = pos ?? f.id;
        if (id === undefined) throw new VigilError("USAGE", `${name}: give the artifact id`);
        const leaf = await c.lifecycle(name, parseArtifactId(id), f.reason);
        out.result(
          { id, action: name, recordLeaf: leaf, reason: f.reason },
          () => `${id} ${done} (journal leaf ${leaf})`,
        );
      }),
    );
}

/** Reads the bytes from another locker, checks them against the digest, restores them. */
async function recover(
  v: LockerPorts,
  id: string,
  source: string,
  from: string,
  tenant: string,
): Promise<{ size: number; leaf: number }> {
  const digest = parseArtifactId(id);
  const row = await v.evidence.get(digest, tenant);
  if (row === null) throw new VigilError("NOT_FOUND", `no artifact ${id}`);
  if ((await v.evidence.lifecycle(row.leafIndex)).state?.state === "expired")
    throw new VigilError("CONFLICT", `${id} expired under retention; it is not recovered`);
  const src = await openContentSource(from);
  let contents: Partial<AppendItem>;
  try {
    contents = await fetchChecked(v, await src.open(digest), digest, row.size);
  } finally {
    await src.close();
  }
  return { size: row.size, leaf: await recordRecovery(lifecycleDeps(v), row, source, contents) };
}

async function fetchChecked(
  v: LockerPorts,
  stream: NodeJS.ReadableStream,
  digest: Buffer,
  size: number,
): Promise<Partial<AppendItem>> {
  if (size <= v.config.inlineLimit) {
    const chunks: Buffer[] = [];
    for await (const c of stream) chunks.push(c as Buffer);
    const data = Buffer.concat(chunks);
    if (!sha256(data).equals(digest))
      throw new VigilError(
        "INTEGRITY_FAILURE",
        `the source's copy of sha256:${digest.toString("hex")} is damaged too`,
      );
    return { inline: { digest, data } };
  }
  const staged = await v.blobs.stage(stream as never);
  if (!staged.digest.equals(digest)) {
    await staged.discard();
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `the source's copy of sha256:${digest.toString("hex")} is damaged too`,
    );
  }
  await staged.commit();
  return { file: { digest, size: staged.size } };
}

export function registerLifecycleCommands(program: Command): void {
  const ev = program.commands.find((c) => c.name() === "evidence") as Command;
  lifecycleCommand(ev, "hold", "place a legal hold: retention will not remove the contents", "is on hold");
  lifecycleCommand(ev, "release", "release a legal hold", "released from hold");
  lifecycleCommand(
    ev,
    "mark-corrupted",
    "record an integrity incident; contents are kept for forensics",
    "marked corrupted",
  );
  program
    .command("recover")
    .description(
      "restore an artifact's contents from a replica or a restored backup, checked against its digest",
    )
    .requiredOption("--id <id>", "the artifact")
    .requiredOption("--source <kind>", "replica or backup")
    .requiredOption("--from <dir>", "the replica's or the restored backup's locker directory")
    .action(async (f: { id: string; source: string; from: string }, cmd: Command) =>
      withLocker(cmd, async (v, out, g) => {
        if (f.source !== "replica" && f.source !== "backup")
          throw new VigilError("USAGE", "--source must be replica or backup");
        const r = await recover(v, f.id, f.source, f.from, g.tenant);
        out.result(
          { id: f.id, recovered: true, source: f.source, ...r },
          () => `${f.id} recovered from ${f.source} (${r.size} bytes, journal leaf ${r.leaf})`,
        );
      }),
    );
  registerCleanupCommands(program);
}
