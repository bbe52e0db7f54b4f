import type { Findings } from "./findings.js";
import type { PackManifest } from "./manifest.js";
import type { PackFile, PackFiles } from "./pack-files.js";
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

/**
 * True when `bytes` is the SHA256SUMS these files make, line for line in
 * their order ("<hex>  <path>\n", SHA256SUMS itself left out): then it
 * parses (a reader admits only names of the layout, and hashes are lowercase
 * hex), lists each file once with the hash it has, and misses none, so
 * checkSums would find nothing. One comparison instead of a parse and a
 * lookup per line; any difference, however small, takes the strict path.
 */
export function sumsMatch(files: PackFiles, bytes: Buffer): boolean {
  let text = "";
  for (const [path, file] of files) if (path !== SUMS) text += `${file.sha256}  ${path}\n`;
  return text.length === bytes.length && Buffer.from(text, "latin1").equals(bytes);
}

/**
 * SHA256SUMS covers every file exactly once, with the hash the file has
 * (null: sumsMatch found it exact).
 * Lines in strictly increasing path order (as exported) cannot repeat a
 * path, so only a list out of order needs a set to find repeats.
 */
export function checkSums(
  files: PackFiles,
  sums: readonly SumLine[] | null,
  owners: Owners,
  f: Findings,
): void {
  if (sums === null) return;
  const listed = increasing(sums) ? null : new Set<string>();
  const find = inOrder(files);
  for (const { path, hex } of sums) {
    if (listed !== null) {
      if (listed.has(path)) f.add(SUMS, owners.of(path), `lists ${path} more than once`);
      listed.add(path);
    }
    const file = find(path);
    if (file === undefined) f.add(path, owners.of(path), `listed in ${SUMS} but missing from the pack`);
    else if (file.sha256 !== hex) f.add(path, owners.of(path), `SHA-256 does not match ${SUMS}`);
  }
  if ((listed?.size ?? sums.length) === files.size - 1 && files.has(SUMS)) return; // every file listed
  const covered = listed ?? new Set(sums.map((l) => l.path));
  for (const path of files.keys())
    if (path !== SUMS && !covered.has(path)) f.add(path, owners.of(path), `not covered by ${SUMS}`);
}

/**
 * files.get for paths asked in the order the reader added the files: an
 * exported archive holds its members in SHA256SUMS's order (sorted), so
 * walking both side by side finds each file without a lookup (a map of tens
 * of thousands of long names misses the cache on nearly every one); any
 * other order falls back to the lookup.
 */
function inOrder(files: PackFiles): (path: string) => PackFile | undefined {
  const names = [...files.keys()];
  const values = [...files.values()];
  let next = 0;
  return (path) => {
    if (names[next] === SUMS) next++;
    if (names[next] !== path) return files.get(path);
    return values[next++];
  };
}

function increasing(sums: readonly SumLine[]): boolean {
  for (let i = 1; i < sums.length; i++)
    if (!((sums[i - 1] as SumLine).path < (sums[i] as SumLine).path)) return false;
  return true;
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
