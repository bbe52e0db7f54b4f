import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import type { TestContext } from "node:test";
import { encodeTileIndex } from "../../src/journal/index.js";

/** A fresh directory, removed when the test ends. */
export async function tempDir(t: TestContext, prefix = "vigil-tiles-"): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Every file below `dir` (not directories), as sorted "/"-separated relative paths. */
export async function listFiles(dir: string): Promise<string[]> {
  const all = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = all.filter((d) => !d.isDirectory()).map((d) => relative(dir, join(d.parentPath, d.name)));
  return files.map((f) => f.split(sep).join("/")).sort();
}

/**
 * The files a tlog-tiles log of `size` entries serves, straight from the spec
 * rule (c2sp.org/tlog-tiles, "Partial Tiles"): level l holds floor(s / 256^l)
 * hashes, in full tiles of 256 and one partial tile of the remainder, if any;
 * entry bundles follow level 0. Independent of tilesForSize.
 */
export function expectedFiles(size: number): string[] {
  const out = ["checkpoint"];
  for (let level = 0; Math.floor(size / 256 ** level) > 0; level++) {
    const hashes = Math.floor(size / 256 ** level);
    const names = tileNames(hashes);
    out.push(...names.map((n) => `tile/${level}/${n}`));
    if (level === 0) out.push(...names.map((n) => `tile/entries/${n}`));
  }
  return out.sort();
}

function tileNames(hashes: number): string[] {
  const names: string[] = [];
  for (let i = 0; i < Math.floor(hashes / 256); i++) names.push(encodeTileIndex(i));
  if (hashes % 256 > 0) names.push(`${encodeTileIndex(Math.floor(hashes / 256))}.p/${hashes % 256}`);
  return names;
}

/** XOR one byte of a file (negative offsets count from the end). */
export async function flipByte(path: string, offset: number): Promise<void> {
  const bytes = await readFile(path);
  const at = offset < 0 ? bytes.length + offset : offset;
  bytes[at] = (bytes[at] ?? 0) ^ 0x40;
  await writeFile(path, bytes);
}
