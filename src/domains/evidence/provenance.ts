import { VigilError } from "../../errors.js";
import type { EvidenceIndex } from "../../storage/evidence-index.js";
import { formatArtifactId } from "./metadata.js";

export interface ProvenanceNode {
  readonly id: string;
  readonly path: string | null;
  readonly producer: string | null;
  readonly parents: readonly ProvenanceNode[];
  /** True when this artifact was already shown higher in the tree (DAG sharing). */
  readonly repeated?: boolean;
  readonly missing?: boolean;
}

/** The provenance DAG below an artifact, each artifact expanded once. */
export async function provenance(
  index: EvidenceIndex,
  digest: Buffer,
  tenant: string,
): Promise<{ root: ProvenanceNode; lines: string[] }> {
  const seen = new Set<string>();
  const lines: string[] = [];
  const visit = async (d: Buffer, depth: number): Promise<ProvenanceNode> => {
    const id = formatArtifactId(d);
    const row = await index.get(d, tenant);
    const pad = "  ".repeat(depth) + (depth > 0 ? "└─ " : "");
    if (row === null) {
      if (depth === 0) throw new VigilError("NOT_FOUND", `no artifact ${id}`);
      lines.push(`${pad}${id} (missing)`);
      return { id, path: null, producer: null, parents: [], missing: true };
    }
    if (seen.has(id)) {
      lines.push(`${pad}${id} ${row.path} (see above)`);
      return { id, path: row.path, producer: row.producer, parents: [], repeated: true };
    }
    seen.add(id);
    lines.push(`${pad}${id} ${row.path}${row.producer ? ` [${row.producer}]` : ""}`);
    const parents: ProvenanceNode[] = [];
    for (const p of row.parents) parents.push(await visit(p, depth + 1));
    return { id, path: row.path, producer: row.producer, parents };
  };
  return { root: await visit(digest, 0), lines };
}
