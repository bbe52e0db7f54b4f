import { stat } from "node:fs/promises";
import { fsError } from "../errors.js";
import type { ArtifactHelper } from "./artifact-helper.js";
import { BatchHasher } from "./batch-hasher.js";
import { DEFAULT_LIMITS, type PackFiles, type PackLimits } from "./pack-files.js";
import { readPackDir } from "./read-dir.js";
import { readTarGz } from "./read-tar.js";

/**
 * Reads a pack (a directory, or a .tar.gz streamed into memory); writes
 * nothing anywhere. With a helper, members are hashed on its thread.
 */
export async function readPack(
  input: string,
  limits: PackLimits = DEFAULT_LIMITS,
  helper: ArtifactHelper | null = null,
): Promise<PackFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch (e) {
    throw fsError(input, e, "cannot read");
  }
  const hasher = helper === null ? null : new BatchHasher(helper);
  return isDir
    ? readPackDir(input, limits, hasher)
    : readTarGz(input, limits, !/\.tar$/i.test(input), hasher);
}
