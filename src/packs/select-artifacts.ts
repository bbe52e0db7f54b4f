import { DEFAULT_TENANT, formatArtifactId, parseArtifactId } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";
import type { EvidenceFilter, EvidenceIndex } from "../storage/evidence-index.js";
import type { EvidenceRow } from "../storage/index-ops.js";

/** What to export: artifacts by id, or by the filters of `evidence list`. */
export type PackSelection =
  /** Ids are looked up in `tenant` (default: the default tenant). */
  | { readonly ids: readonly string[]; readonly tenant?: string }
  | { readonly query: Omit<EvidenceFilter, "limit" | "orderBy"> };

const SHOWN = 5;

/** Names a few items and counts the rest, to keep an error message to one readable line. */
export function listSome(items: readonly string[]): string {
  const more = items.length - SHOWN;
  return items.slice(0, SHOWN).join(", ") + (more > 0 ? ` and ${more} more` : "");
}

/**
 * The artifacts to pack, in leaf order, each once; with `includeDeps`, every
 * provenance parent, recursively (a DAG: each visited once).
 */
export async function selectArtifacts(
  index: EvidenceIndex,
  selection: PackSelection,
  includeDeps: boolean,
): Promise<EvidenceRow[]> {
  const roots =
    "ids" in selection
      ? await byIds(index, selection.ids, selection.tenant ?? DEFAULT_TENANT)
      : await index.list(selection.query);
  if (roots.length === 0) throw new VigilError("NOT_FOUND", "no artifacts match: nothing to export");
  const chosen = new Map(roots.map((r) => [r.digest.toString("hex"), r]));
  if (includeDeps) await addParents(index, roots, chosen);
  return [...chosen.values()].sort((a, b) => a.leafIndex - b.leafIndex);
}

async function byIds(index: EvidenceIndex, ids: readonly string[], tenant: string): Promise<EvidenceRow[]> {
  if (ids.length === 0) throw new VigilError("USAGE", "give at least one --id");
  const rows: EvidenceRow[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const row = await index.get(parseArtifactId(id), tenant);
    if (row === null) missing.push(id);
    else rows.push(row);
  }
  if (missing.length > 0) throw new VigilError("NOT_FOUND", `no artifact ${listSome(missing)}`);
  return rows;
}

async function addParents(
  index: EvidenceIndex,
  roots: readonly EvidenceRow[],
  chosen: Map<string, EvidenceRow>,
) {
  const queue = [...roots];
  for (let row = queue.pop(); row !== undefined; row = queue.pop()) {
    for (const p of row.parents) {
      const hex = p.toString("hex");
      if (chosen.has(hex)) continue;
      // Provenance stays inside a tenant: parents are resolved in the child's tenant.
      const parent = await index.get(p, row.tenant);
      if (parent === null)
        throw new VigilError(
          "NOT_FOUND",
          `parent ${formatArtifactId(p)} of ${formatArtifactId(row.digest)} is not in the locker`,
        );
      chosen.set(hex, parent);
      queue.push(parent);
    }
  }
}
