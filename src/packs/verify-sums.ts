import type { Findings } from "./findings.js";
import type { PackManifest } from "./manifest.js";
import type { PackFiles } from "./pack-files.js";
import { MANIFEST, SUMS } from "./pack-layout.js";
import type { SumLine } from "./sha256sums.js";

/** Which artifact each listed file belongs to, for naming it in findings: built only when one is made. */
export class Owners {
  private map: Map<string, string> | null = null;

  constructor(private readonly manifest: PackManifest) {}

  of(path: string): string | null {
    if (this.map === null) {
      this.map = new Map();
      for (const a of this.manifest.artifacts)
        for (const p of [a.record, a.contents, a.proof]) this.map.set(p, a.id);
    }
    return this.map.get(path) ?? null;
  }

  has(path: string): boolean {
    return this.of(path) !== null;
  }
}

/** SHA256SUMS covers every file exactly once, with the hash the file has. */
export function checkSums(files: PackFiles, sums: readonly SumLine[], owners: Owners, f: Findings): void {
  const listed = new Set<string>();
  for (const { path, hex } of sums) {
    if (listed.has(path)) f.add(SUMS, owners.of(path), `lists ${path} more than once`);
    listed.add(path);
    const file = files.get(path);
    if (file === undefined) f.add(path, owners.of(path), `listed in ${SUMS} but missing from the pack`);
    else if (file.sha256 !== hex) f.add(path, owners.of(path), `SHA-256 does not match ${SUMS}`);
  }
  if (listed.size === files.size - 1 && files.has(SUMS)) return; // every file listed
  for (const path of files.keys())
    if (path !== SUMS && !listed.has(path)) f.add(path, owners.of(path), `not covered by ${SUMS}`);
}

const PER_ARTIFACT = /^(records|proofs|contents)\//;

/**
 * Per-artifact files that no artifact of the manifest names. `referenced` is
 * how many distinct pack files the artifacts named (null when the manifest's
 * paths were irregular and could collide): when it equals the number of such
 * files, each of them was named and there is nothing to look up.
 */
export function checkUnreferenced(
  files: PackFiles,
  referenced: number | null,
  owners: Owners,
  f: Findings,
): void {
  let perArtifact = 0;
  for (const path of files.keys()) if (PER_ARTIFACT.test(path)) perArtifact++;
  if (referenced === perArtifact) return;
  for (const path of files.keys())
    if (PER_ARTIFACT.test(path) && !owners.has(path))
      f.add(path, null, `not part of any artifact in ${MANIFEST}`);
}
