import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { fsError } from "../../errors.js";

/** Writes `-o FILE` atomically (temporary name, then rename); errors name the file. */
export async function writeOutputFile(path: string, source: Readable | string): Promise<void> {
  const tmp = `${path}.vigil-part`;
  try {
    const sink = createWriteStream(tmp, { flags: "wx" });
    if (typeof source === "string") await pipeline([source], sink);
    else await pipeline(source, sink);
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw fsError(path, e, "cannot write");
  }
}
