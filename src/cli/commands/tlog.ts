import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { parseVerifierKey } from "../../journal/index.js";
import { VigilError } from "../../errors.js";
import type { TileSource } from "../../tlog/tile-source.js";
import { outputFor, setExitCode, withLocker } from "../context.js";

function loadVerifier(key: string) {
  const text = key.includes("+") ? key : readFileSync(key, "utf8");
  try {
    return parseVerifierKey(text);
  } catch (e) {
    throw new VigilError("KEY_INVALID", `--key: ${(e as Error).message}`);
  }
}

/** A URL is followed over HTTP (with VIGIL_TOKEN, if set); anything else is a directory. */
async function tileSource(where: string): Promise<TileSource> {
  if (!/^https?:\/\//i.test(where)) return (await import("../../tlog/tile-dir.js")).TileDir.open(where);
  const { HttpTiles } = await import("../../tlog/http-tiles.js");
  const token = process.env.VIGIL_TOKEN;
  return new HttpTiles(where, token === undefined || token === "" ? {} : { token });
}

export function registerTlogCommands(program: Command): void {
  const tl = program.command("tlog").description("the journal in the C2SP tlog-tiles layout");
  tl.command("export <dir>")
    .description("write checkpoint, hash tiles and entry bundles for the latest anchor")
    .action(async (dir: string, _f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const { exportTiles } = await import("../../tlog/export-tiles.js");
        const r = await exportTiles(v.log, dir, (done: number, total: number) =>
          out.progress("exporting tiles", done, total),
        );
        out.endProgress();
        out.result({ dir, ...r }, () => `exported ${r.size} entries as ${r.files} files to ${dir}`);
      }),
    );
  tl.command("verify <dir-or-url>")
    .description(
      "verify any tlog-tiles log, a directory or a served prefix (http(s)://…/tlog; VIGIL_TOKEN for entry bundles): checkpoint signature, tiles, entry bundles, root",
    )
    .requiredOption("--key <vkey>", "verifier key (name+hexid+base64) or a file holding it")
    .option("--origin <origin>", "expected checkpoint origin")
    .action(async (dir: string, f: { key: string; origin?: string }, cmd: Command) => {
      const out = outputFor(cmd);
      const { verifyTiles } = await import("../../tlog/verify-tiles.js");
      const r = await verifyTiles(await tileSource(dir), loadVerifier(f.key), f.origin);
      out.result(r, () =>
        r.ok
          ? `${out.color.ok("ok")}  ${dir}: ${r.size} entries, root verified (${r.tilesChecked} tiles, ${r.bundlesChecked} entry bundles)`
          : `${out.color.bad("FAIL")}  ${dir}: first bad: ${r.firstBad?.path} (${r.firstBad?.problem})`,
      );
      if (!r.ok) setExitCode(1);
    });
}
