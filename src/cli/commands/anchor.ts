import type { Command } from "commander";
import { anchorContext } from "../../app/anchor-views.js";
import { verifyAnchors, type AnchorCheck } from "../../log/anchors.js";
import { setExitCode, withClient, withLocker } from "../context.js";
import { table, type Output } from "../output.js";
import { parseIntArg } from "../parse-args.js";
import { remoteCapable } from "../remote.js";
import { writeOutputFile } from "../../storage/fs/write-output-file.js";

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
  remoteCapable(an.command("create"))
    .description("sign a checkpoint of the current journal")
    .action(async (_f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const a = await c.createAnchor();
        out.result(a, () =>
          a.created
            ? `anchor ${a.seq} signed: size ${a.size}, root ${a.root}`
            : `up to date: anchor ${a.seq} already covers size ${a.size}`,
        );
      }),
    );
  remoteCapable(an.command("list"))
    .description("list anchors")
    .option("--show-links", "with the consistency proof linking each anchor to its predecessor")
    .action(async (f: { showLinks?: boolean }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const rows = await c.anchors(f.showLinks === true);
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
  remoteCapable(an.command("inspect <seq>"))
    .description("show one anchor and its signed note")
    .action(async (seq: string, _f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const a = await c.anchor(parseIntArg("anchor", 1)(seq));
        out.result(
          a,
          () =>
            `anchor ${a.seq}\nsize     ${a.size}\ncreated  ${a.createdAt}\nroot     ${a.root}\n\n${a.note}`,
        );
      }),
    );
  an.command("verify")
    .description("check anchor signatures, roots and consistency links")
    .option("--latest", "only the latest anchor (default)")
    .option("--all", "every anchor in the chain")
    .action(async (f: { all?: boolean }, cmd: Command) =>
      withLocker(cmd, async (v, out) =>
        printChecks(out, await verifyAnchors(anchorContext(v), f.all ? "all" : "latest")),
      ),
    );
  remoteCapable(an.command("export [seq]"))
    .description("write an anchor's signed note (default: the latest)")
    .requiredOption("-o, --output <file>", "file to write")
    .action(async (seq: string | undefined, f: { output: string }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const a = await c.anchor(seq === undefined ? undefined : parseIntArg("anchor", 1)(seq));
        await writeOutputFile(f.output, a.note);
        out.result(
          { seq: a.seq, size: a.size, file: f.output },
          () => `anchor ${a.seq} written to ${f.output}`,
        );
      }),
    );
}
