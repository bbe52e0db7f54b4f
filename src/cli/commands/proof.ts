import type { Command } from "commander";
import {
  buildConsistencyProof,
  buildInclusionProof,
  verifyConsistency,
  verifyInclusion,
} from "../../journal/index.js";
import type { Vigil } from "../../app/vigil.js";
import { parseArtifactId } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import { withVigil } from "../context.js";
import { parseIntArg } from "../parse-args.js";

const b64 = (b: Uint8Array) => Buffer.from(b).toString("base64");

/** Tree size to prove against: --size, else the latest anchor, else the journal. */
async function targetSize(v: Vigil, size: number | undefined): Promise<number> {
  const journal = await v.log.size();
  const n = size ?? (await v.log.latestCheckpoint())?.size ?? journal;
  if (n > journal) throw new VigilError("INPUT_INVALID", `--size ${n} exceeds the journal size ${journal}`);
  return n;
}

export function registerProofCommands(program: Command): void {
  const pr = program.command("proof").description("RFC 6962 inclusion and consistency proofs");
  pr.command("inclusion <id>")
    .description("prove an artifact's record is in the tree (default size: the latest anchor)")
    .option("--size <n>", "tree size", parseIntArg("--size", 1))
    .action(async (id: string, f: { size?: number }, cmd: Command) =>
      withVigil(cmd, async (v, out, g) => {
        const row = await v.evidence.get(parseArtifactId(id), g.tenant);
        if (row === null) throw new VigilError("NOT_FOUND", `no artifact ${id}`);
        const size = await targetSize(v, f.size);
        if (row.leafIndex >= size)
          throw new VigilError(
            "INPUT_INVALID",
            `leaf ${row.leafIndex} is not in a tree of size ${size}; anchor first`,
          );
        const read = (ids: Parameters<typeof v.log.readNodes>[0]) => v.log.readNodes(ids);
        const [leaf] = await v.log.readNodes([{ level: 0, index: row.leafIndex }]);
        const proof = await buildInclusionProof(row.leafIndex, size, read);
        const root = (await v.log.root(size)) as Buffer;
        const ok = verifyInclusion(row.leafIndex, size, leaf as Buffer, proof, root);
        if (!ok)
          throw new VigilError("INTEGRITY_FAILURE", "the stored tree produced a proof that does not verify");
        const value = {
          v: 1,
          type: "inclusion",
          leafIndex: row.leafIndex,
          treeSize: size,
          leafHash: b64(leaf as Buffer),
          root: b64(root),
          proof: proof.map(b64),
        };
        out.result(
          value,
          () =>
            `leaf ${value.leafIndex} in tree ${size}\nleaf hash ${value.leafHash}\nroot      ${value.root}\nproof:\n${value.proof.map((p) => `  ${p}`).join("\n")}`,
        );
      }),
    );
  pr.command("consistency")
    .description("prove tree size M is a prefix of tree size N")
    .requiredOption("--from <m>", "older tree size", parseIntArg("--from", 1))
    .requiredOption("--to <n>", "newer tree size", parseIntArg("--to", 1))
    .action(async (f: { from: number; to: number }, cmd: Command) =>
      withVigil(cmd, async (v, out) => {
        const size = await v.log.size();
        if (f.to > size || f.from > f.to)
          throw new VigilError("INPUT_INVALID", `need 1 <= --from <= --to <= ${size}`);
        const proof = await buildConsistencyProof(f.from, f.to, (ids) => v.log.readNodes(ids));
        const [r1, r2] = [(await v.log.root(f.from)) as Buffer, (await v.log.root(f.to)) as Buffer];
        if (!verifyConsistency(f.from, f.to, r1, r2, proof))
          throw new VigilError("INTEGRITY_FAILURE", "the stored tree produced a proof that does not verify");
        const value = {
          v: 1,
          type: "consistency",
          size1: f.from,
          size2: f.to,
          root1: b64(r1),
          root2: b64(r2),
          proof: proof.map(b64),
        };
        out.result(
          value,
          () =>
            `consistency ${f.from} -> ${f.to}\nroot1 ${value.root1}\nroot2 ${value.root2}\nproof:\n${value.proof.map((p) => `  ${p}`).join("\n")}`,
        );
      }),
    );
}
