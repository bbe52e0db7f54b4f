import { stat } from "node:fs/promises";
import { fsError } from "../errors.js";
import { DEFAULT_LIMITS, type PackFiles, type PackLimits } from "./pack-files.js";
import { readPackDir } from "./read-dir.js";
import { readTarGz } from "./read-tar.js";

/** Reads a pack (a directory, or a .tar.gz streamed into memory); writes nothing anywhere. */
export async function readPack(input: string, limits: PackLimits = DEFAULT_LIMITS): Promise<PackFiles> {
  let isDir: boolean;
  try {
    isDir = (await stat(input)).isDirectory();
  } catch (e) {
    throw fsError(input, e, "cannot read");
  }
  return isDir ? readPackDir(input, limits) : readTarGz(input, limits, !/\.tar$/i.test(input));
}
