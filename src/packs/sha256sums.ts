import { VigilError } from "../errors.js";
import { isLowerHex, isPackFileName, SUMS } from "./pack-layout.js";

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

const HEX_LENGTH = 64;
/** Hex digest, two spaces (text mode), a path. */
const PATH_AT = HEX_LENGTH + 2;

/** Parses SHA256SUMS strictly; any line out of format makes the pack malformed. Duplicates are kept. */
export function parseSums(bytes: Uint8Array, where: string): SumLine[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  if (text === "") return [];
  if (!text.endsWith("\n")) throw bad(where, "does not end with a newline");
  const lines: SumLine[] = [];
  for (let from = 0; from < text.length;) {
    const to = text.indexOf("\n", from);
    lines.push(sumLine(text, from, to, lines.length + 1, where));
    from = to + 1;
  }
  return lines;
}

/** The line text[from, to): `^([0-9a-f]{64}) {2}(.+)$`, then a file of the layout. */
function sumLine(text: string, from: number, to: number, n: number, where: string): SumLine {
  const path = text.slice(from + PATH_AT, to);
  if (
    to - from <= PATH_AT ||
    !isLowerHex(text, from, from + HEX_LENGTH) ||
    text.charCodeAt(from + HEX_LENGTH) !== 0x20 ||
    text.charCodeAt(from + HEX_LENGTH + 1) !== 0x20
  )
    throw bad(where, `line ${n} is not "<sha256 hex>  <path>"`);
  if (!isPackFileName(path) || path === SUMS) {
    // No name of the layout has a line terminator, which the pattern's "." does not match.
    if (/[\r\u2028\u2029]/.test(path)) throw bad(where, `line ${n} is not "<sha256 hex>  <path>"`);
    throw bad(where, `line ${n} names ${JSON.stringify(path)}, not a file of the pack layout`);
  }
  return { hex: text.slice(from, from + HEX_LENGTH), path };
}

function bad(where: string, why: string): VigilError {
  return new VigilError("INPUT_INVALID", `${where}: ${SUMS} ${why}`);
}
