import type { Command } from "commander";
import { parseArtifactId } from "../../domains/evidence/metadata.js";
import { withClient } from "../context.js";
import { parseIntArg } from "../parse-args.js";
import { remoteCapable } from "../remote.js";

export function registerProofCommands(program: Command): void {
  const pr = program.command("proof").description("RFC 6962 inclusion and consistency proofs");
  remoteCapable(pr.command("inclusion <id>"))
    .description("prove an artifact's record is in the tree (default size: the latest anchor)")
    .option("--size <n>", "tree size", parseIntArg("--size", 1))
    .action(async (id: string, f: { size?: number }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const value = await c.inclusionProof(parseArtifactId(id), f.size);
        out.result(
          value,
          () =>
            `leaf ${value.leafIndex} in tree ${value.treeSize}\nleaf hash ${value.leafHash}\nroot      ${value.root}\nproof:\n${value.proof.map((p) => `  ${p}`).join("\n")}`,
        );
      }),
    );
  remoteCapable(pr.command("consistency"))
    .description("prove tree size M is a prefix of tree size N")
    .requiredOption("--from <m>", "older tree size", parseIntArg("--from", 1))
    .requiredOption("--to <n>", "newer tree size", parseIntArg("--to", 1))
    .action(async (f: { from: number; to: number }, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const value = await c.consistencyProof(f.from, f.to);
        out.result(
          value,
          () =>
            `consistency ${f.from} -> ${f.to}\nroot1 ${value.root1}\nroot2 ${value.root2}\nproof:\n${value.proof.map((p) => `  ${p}`).join("\n")}`,
        );
      }),
    );
}
