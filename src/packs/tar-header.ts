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
const MAGIC = 257;
/** POSIX ustar magic and version: "ustar\0" (GNU writes "ustar " and uses the prefix area otherwise). */
const USTAR = [0x75, 0x73, 0x74, 0x61, 0x72, 0x00] as const;
const PREFIX = [345, 500] as const;
const SPACE = 0x20;

const bad = (why: string, offset: number) =>
  new TarFormatError(`not a valid tar archive (${why} in the header at byte ${offset})`);

/**
 * The header block at buf[at, at + 512), checked; null for a zero block (the
 * end-of-archive marker). `view` is a DataView over buf (the walker makes one
 * per chunk), so the checksum is summed four bytes at a time.
 */
export function tarHeader(buf: Buffer, view: DataView, at: number, offset: number): TarHeader | null {
  let sum = byteSum(view, at);
  if (sum === 0) return null;
  // POSIX: the checksum is computed with the checksum field itself taken as eight spaces.
  for (let i = at + CHKSUM[0]; i < at + CHKSUM[1]; i++) sum += SPACE - (buf[i] as number);
  if (octal(buf, at + CHKSUM[0], at + CHKSUM[1]) !== sum) throw bad("checksum mismatch", offset);
  const size = sizeField(buf, at, offset);
  const type = String.fromCharCode(buf[at + TYPEFLAG] as number);
  let name = cString(buf, at + NAME[0], at + NAME[1]);
  if (isUstar(buf, at + MAGIC)) {
    // POSIX ustar: a non-empty prefix is the name's leading directories.
    const prefix = cString(buf, at + PREFIX[0], at + PREFIX[1]);
    if (prefix !== "") name = `${prefix}/${name}`;
  }
  return { name, size, type };
}

/** The unsigned sum of the block's 512 bytes: two 16-bit lanes per 32-bit word (128 x 510 < 65,536). */
function byteSum(view: DataView, at: number): number {
  let lanes = 0;
  for (let i = at; i < at + BLOCK; i += 4) {
    const w = view.getUint32(i, true);
    lanes += (w & 0x00ff00ff) + ((w >>> 8) & 0x00ff00ff);
  }
  return (lanes & 0xffff) + (lanes >>> 16);
}

function isUstar(buf: Buffer, at: number): boolean {
  for (let i = 0; i < USTAR.length; i++) if (buf[at + i] !== USTAR[i]) return false;
  return true;
}

function cString(buf: Buffer, from: number, to: number): string {
  let end = from;
  while (end < to && buf[end] !== 0) end++;
  return end === from ? "" : buf.toString("utf8", from, end);
}

const isDigit = (c: number) => c >= 0x30 && c <= 0x37;
const isPad = (c: number) => c === 0 || c === SPACE;

/** Octal digits after optional spaces, then only NULs or spaces; NaN when anything else is there. */
function octal(buf: Buffer, from: number, to: number): number {
  let i = from;
  while (i < to && buf[i] === SPACE) i++;
  const first = i;
  let n = 0;
  for (; i < to && isDigit(buf[i] as number); i++) n = n * 8 + ((buf[i] as number) - 0x30);
  if (i === first) return NaN;
  for (; i < to; i++) if (!isPad(buf[i] as number)) return NaN;
  return n;
}

/** The size field: octal, or GNU base-256 (high bit set) for sizes beyond 8 GiB. */
function sizeField(buf: Buffer, at: number, offset: number): number {
  const from = at + SIZE[0];
  const to = at + SIZE[1];
  if (((buf[from] as number) & 0x80) === 0) {
    const n = octal(buf, from, to);
    if (Number.isNaN(n)) throw bad("invalid size", offset);
    return n;
  }
  let n = (buf[from] as number) & 0x7f;
  for (let i = from + 1; i < to; i++) n = n * 256 + (buf[i] as number);
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
