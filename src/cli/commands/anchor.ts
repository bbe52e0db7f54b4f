import type { Command } from "commander";
import type { Vigil } from "../../app/vigil.js";
import { VigilError } from "../../errors.js";
import { checkAnchor, createAnchor, verifyAnchors, type AnchorCheck } from "../../log/anchors.js";
import type { StoredCheckpoint } from "../../storage/log-reader.js";
import { setExitCode, withVigil } from "../context.js";
import { table, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";
import { writeOutputFile } from "../write-output.js";

export function anchorContext(v: Vigil) {
  return { log: v.log, signer: v.signer, verifier: v.verifier, origin: v.config.origin, clock: v.clock };
}

function anchorJson(a: StoredCheckpoint) {
  return { seq: a.seq, size: a.size, root: a.root.toString("base64"), createdAt: a.createdAt, note: a.note };
}

async function requireAnchor(v: Vigil, seq: number | undefined): Promise<StoredCheckpoint> {
  const a = seq === undefined ? await v.log.latestCheckpoint() : await v.log.getCheckpoint(seq);
  if (a === null)
    throw new VigilError(
      "NOT_FOUND",
      seq === undefined ? "no anchors yet (run: vigil anchor create)" : `no anchor ${seq}`,
    );
  return a;
}

function printChecks(out: Output, checks: readonly AnchorCheck[]): void {
  const failed = checks.filter((c) => !c.ok);
  out.result({ ok: failed.length === 0, anchors: checks }, () =>
    checks.length === 0
      ? "no anchors to verify"
      : checks
          .map(
            (c) =>
              `${c.ok ? out.color.ok("ok") : out.color.bad("FAIL")}  anchor ${c.seq} (size ${c.size})${c.problems.map((p) => `\n    ${p}`).join("")}`,
          )
          .join("\n"),
  );
  if (failed.length > 0) setExitCode(1);
}

export function registerAnchorCommands(program: Command): void {
  const an = program.command("anchor").description("signed checkpoints of the journal (the anchor chain)");
  an.command("create")
    .description("sign a checkpoint of the current journal")
    .action(async (_f: unknown, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const { anchor, created } = await createAnchor(anchorContext(v));
        out.result({ created, ...anchorJson(anchor) }, () =>
          created
            ? `anchor ${anchor.seq} signed: size ${anchor.size}, root ${anchor.root.toString("base64")}`
            : `up to date: anchor ${anchor.seq} already covers size ${anchor.size}`,
        );
      }),
    );
  an.command("list")
    .description("list anchors")
    .option("--show-links", "with the consistency proof linking each anchor to its predecessor")
    .action(async (f: { showLinks?: boolean }, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const all = await v.log.listCheckpoints();
        const rows: {
          seq: number;
          size: number;
          root: string;
          createdAt: string;
          link?: readonly string[] | null;
        }[] = [];
        for (let i = 0; i < all.length; i++) {
          const a = all[i] as StoredCheckpoint;
          const link = f.showLinks
            ? (await checkAnchor(anchorContext(v), a, all[i - 1] ?? null)).link
            : undefined;
          rows.push({
            seq: a.seq,
            size: a.size,
            root: a.root.toString("base64"),
            createdAt: a.createdAt,
            ...(f.showLinks ? { link } : {}),
          });
        }
        out.result(rows, () =>
          rows.length === 0
            ? "no anchors yet"
            : table([
                ["SEQ", "SIZE", "CREATED", "ROOT"],
                ...rows.map((r) => [String(r.seq), String(r.size), r.createdAt, r.root]),
              ]) +
              (f.showLinks
                ? `\n${rows.map((r) => `link ${r.seq}: ${r.link === null ? "(first anchor)" : `[${(r.link ?? []).join(", ")}]`}`).join("\n")}`
                : ""),
        );
      }),
    );
  an.command("inspect <seq>")
    .description("show one anchor and its signed note")
    .action(async (seq: string, _f: unknown, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const a = await requireAnchor(v, parseIntArg("anchor", 1)(seq));
        out.result(
          anchorJson(a),
          () =>
            `anchor ${a.seq}\nsize     ${a.size}\ncreated  ${a.createdAt}\nroot     ${a.root.toString("base64")}\n\n${a.note}`,
        );
      }),
    );
  an.command("verify")
    .description("check anchor signatures, roots and consistency links")
    .option("--latest", "only the latest anchor (default)")
    .option("--all", "every anchor in the chain")
    .action(async (f: { all?: boolean }, cmd: Command) =>
      withVigil(cmd, async (v, out) =>
        printChecks(out, await verifyAnchors(anchorContext(v), f.all ? "all" : "latest")),
      ),
    );
  an.command("export [seq]")
    .description("write an anchor's signed note (default: the latest)")
    .requiredOption("-o, --output <file>", "file to write")
    .action(async (seq: string | undefined, f: { output: string }, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const a = await requireAnchor(v, seq === undefined ? undefined : parseIntArg("anchor", 1)(seq));
        await writeOutputFile(f.output, a.note);
        out.result(
          { seq: a.seq, size: a.size, file: f.output },
          () => `anchor ${a.seq} written to ${f.output}`,
        );
      }),
    );
}
