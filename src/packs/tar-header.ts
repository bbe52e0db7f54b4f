/** POSIX ustar: headers and data come in 512-byte blocks. */
export const BLOCK = 512;

/** Why the walk stopped; the reader prefixes the pack's name. */
export class TarFormatError extends Error {
  override name = "TarFormatError";
}

export interface TarHeader {
  readonly name: string;
  readonly size: number;
  /** The typeflag character ("0", "5", "x", ...). */
  readonly type: string;
}

/** POSIX.1-1988 ustar field offsets. */
const NAME = [0, 100] as const;
const SIZE = [124, 136] as const;
const CHKSUM = [148, 156] as const;
const TYPEFLAG = 156;
const MAGIC = [257, 263] as const;
const PREFIX = [345, 500] as const;

const bad = (why: string, offset: number) =>
  new TarFormatError(`not a valid tar archive (${why} in the header at byte ${offset})`);

/** One header block, checked; null for a zero block (the end-of-archive marker). */
export function tarHeader(block: Buffer, offset: number): TarHeader | null {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i] as number;
  if (sum === 0) return null;
  for (let i = CHKSUM[0]; i < CHKSUM[1]; i++) sum += 0x20 - (block[i] as number);
  if (octal(block, CHKSUM[0], CHKSUM[1]) !== sum) throw bad("checksum mismatch", offset);
  const size = sizeField(block, offset);
  const type = String.fromCharCode(block[TYPEFLAG] as number);
  let name = cString(block, NAME[0], NAME[1]);
  // POSIX ustar ("ustar\0"): a non-empty prefix is the name's leading directories. GNU ("ustar ") uses
  // that area for other fields.
  if (block.toString("latin1", MAGIC[0], MAGIC[1]) === "ustar\0") {
    const prefix = cString(block, PREFIX[0], PREFIX[1]);
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return { name, size, type };
}

function cString(block: Buffer, from: number, to: number): string {
  let end = from;
  while (end < to && block[end] !== 0) end++;
  return block.toString("utf8", from, end);
}

/** Octal digits, space or NUL terminated; NaN when anything else is there. */
function octal(block: Buffer, from: number, to: number): number {
  const text = block
    .toString("latin1", from, to)
    .replace(/[\0 ]+$/, "")
    .replace(/^ +/, "");
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : NaN;
}

/** The size field: octal, or GNU base-256 (high bit set) for sizes beyond 8 GiB. */
function sizeField(block: Buffer, offset: number): number {
  if (((block[SIZE[0]] as number) & 0x80) === 0) {
    const n = octal(block, SIZE[0], SIZE[1]);
    if (Number.isNaN(n)) throw bad("invalid size", offset);
    return n;
  }
  let n = (block[SIZE[0]] as number) & 0x7f;
  for (let i = SIZE[0] + 1; i < SIZE[1]; i++) n = n * 256 + (block[i] as number);
  if (!Number.isSafeInteger(n)) throw bad("invalid size", offset);
  return n;
}

/** POSIX.1-2001 pax records, "<len> <key>=<value>\n": the path and size that override the next header. */
export function parsePax(text: Buffer): { path?: string; size?: number } {
  const out: { path?: string; size?: number } = {};
  let pos = 0;
  while (pos < text.length) {
    const space = text.indexOf(0x20, pos);
    const len = space < 0 ? NaN : Number(text.toString("latin1", pos, space));
    if (
      !Number.isSafeInteger(len) ||
      len <= space - pos ||
      pos + len > text.length ||
      text[pos + len - 1] !== 0x0a
    )
      throw new TarFormatError("not a valid tar archive (a malformed pax header)");
    const record = text.toString("utf8", space + 1, pos + len - 1);
    const eq = record.indexOf("=");
    if (eq < 0) throw new TarFormatError("not a valid tar archive (a malformed pax header)");
    const key = record.slice(0, eq);
    const value = record.slice(eq + 1);
    if (key === "path") out.path = value;
    else if (key === "size") {
      if (!/^[0-9]{1,16}$/.test(value))
        throw new TarFormatError("not a valid tar archive (a malformed pax size)");
      out.size = Number(value);
    }
    pos += len;
  }
  return out;
}
