import { VigilError } from "../errors.js";
import { isPackFileName, SUMS } from "./pack-layout.js";

export interface SumLine {
  readonly path: string;
  readonly hex: string;
}

/**
 * SHA256SUMS in GNU coreutils text format, "<hex>  <path>\n" (two spaces:
 * text mode), one line per file, sorted by path so exports are identical;
 * `sha256sum -c SHA256SUMS` checks it in an extracted pack.
 */
export function formatSums(lines: readonly SumLine[]): Buffer {
  const sorted = [...lines].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return Buffer.from(sorted.map((l) => `${l.hex}  ${l.path}\n`).join(""), "utf8");
}

const LINE = /^([0-9a-f]{64}) {2}(.+)$/;

/** Parses SHA256SUMS strictly; any line out of format makes the pack malformed. Duplicates are kept. */
export function parseSums(bytes: Uint8Array, where: string): SumLine[] {
  const text = Buffer.from(bytes).toString("utf8");
  if (text === "") return [];
  if (!text.endsWith("\n")) throw bad(where, "does not end with a newline");
  return text
    .slice(0, -1)
    .split("\n")
    .map((line, i) => {
      const m = LINE.exec(line);
      if (m === null) throw bad(where, `line ${i + 1} is not "<sha256 hex>  <path>"`);
      const [hex, path] = [m[1] ?? "", m[2] ?? ""];
      if (!isPackFileName(path) || path === SUMS)
        throw bad(where, `line ${i + 1} names ${JSON.stringify(path)}, not a file of the pack layout`);
      return { hex, path };
    });
}

function bad(where: string, why: string): VigilError {
  return new VigilError("INPUT_INVALID", `${where}: ${SUMS} ${why}`);
}
