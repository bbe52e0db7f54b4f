import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { readFile } from "node:fs/promises";
import { fsError } from "../errors.js";

/** One line of GNU coreutils `sha256sum` text-mode output: hex, two spaces, file name. */
export function checksumLine(hex: string, fileName: string): string {
  return `${hex}  ${fileName}\n`;
}

/** The digest a checksum file records for `fileName`, or null when the file is not exactly that line. */
export function parseChecksumLine(text: string, fileName: string): string | null {
  const m = /^([0-9a-f]{64}) {2}(.+)\n$/.exec(text);
  return m !== null && m[2] === fileName ? (m[1] as string) : null;
}

export interface FileDigest {
  readonly sha256: string;
  readonly bytes: number;
  readonly lines: number;
}

/** SHA-256, size and line count of a file, streamed. */
export async function digestFile(path: string): Promise<FileDigest> {
  const h = createHash("sha256");
  let bytes = 0;
  let lines = 0;
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
      h.update(chunk);
      bytes += chunk.length;
      for (let i = chunk.indexOf(0x0a); i !== -1; i = chunk.indexOf(0x0a, i + 1)) lines++;
    }
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
  return { sha256: h.digest("hex"), bytes, lines };
}

export async function readChecksumFile(path: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
}
