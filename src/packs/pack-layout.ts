import { VigilError } from "../errors.js";

/**
 * The offline evidence pack layout (format "vigil-evidence-pack", v 1). Every
 * member has a name from this closed grammar; a reader refuses anything else,
 * which is what rules out path traversal, absolute names and surprises.
 */
export const PACK_FORMAT = "vigil-evidence-pack";
export const PACK_VERSION = 1;

export const MANIFEST = "manifest.json";
export const CHECKPOINT = "checkpoint";
export const CHAIN = "chain.json";
export const VERIFIER_KEY = "verifier.key";
export const SUMS = "SHA256SUMS";
export const README = "README.txt";
/** Only in packs of a locker whose key was rotated (pack-keys.ts). */
export const KEYS = "keys.json";

const TOP_LEVEL = new Set([MANIFEST, CHECKPOINT, CHAIN, VERIFIER_KEY, SUMS, README, KEYS]);
export const PACK_DIRS = ["contents", "proofs", "records"] as const;

const LEAF = "(0|[1-9][0-9]{0,15})";
const RECORD_NAME = new RegExp(`^records/${LEAF}\\.json$`);
const PROOF_NAME = new RegExp(`^proofs/${LEAF}\\.json$`);
/** contents/ then the SHA-256 of the file in lowercase hex (checked by isLowerHex: asked once per member). */
const CONTENTS_DIR = "contents/";

/** text[from, to) is lowercase hex. */
export function isLowerHex(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

export function recordPath(leafIndex: number): string {
  return `records/${leafIndex}.json`;
}

export function proofPath(leafIndex: number): string {
  return `proofs/${leafIndex}.json`;
}

export function contentsPath(hex: string): string {
  return `contents/${hex}`;
}

/**
 * What a layout file is, which decides its size cap and whether it is kept
 * in memory: its contents (only hashed), an index file (grows with the pack:
 * manifest.json, SHA256SUMS, chain.json), or another metadata file; null
 * when the layout has no such file. One pass over the name (a reader asks
 * this once per member of tens of thousands).
 */
export type FileClass = "contents" | "index" | "meta";

export function fileClass(path: string): FileClass | null {
  if (path.startsWith(CONTENTS_DIR)) {
    const hexLength = path.length - CONTENTS_DIR.length;
    return hexLength === 64 && isLowerHex(path, CONTENTS_DIR.length, path.length) ? "contents" : null;
  }
  if (path.startsWith("records/")) return RECORD_NAME.test(path) ? "meta" : null;
  if (path.startsWith("proofs/")) return PROOF_NAME.test(path) ? "meta" : null;
  if (!TOP_LEVEL.has(path)) return null;
  return path === MANIFEST || path === SUMS || path === CHAIN ? "index" : "meta";
}

/** True for every file name the layout allows. */
export function isPackFileName(path: string): boolean {
  return fileClass(path) !== null;
}

export type MemberKind = "file" | "directory" | "symlink" | "hardlink" | "device" | "fifo" | "other";

/**
 * The canonical name of a member as found in an archive or directory, or a
 * malformed-pack error saying why it is refused. A leading "./" and a
 * directory's trailing "/" are tolerated (GNU tar writes them); nothing else.
 */
export function memberName(raw: string, kind: MemberKind, where: string): string {
  const refuse = (why: string): never => {
    throw new VigilError("INPUT_INVALID", `${where}: member ${JSON.stringify(raw)}: ${why}`);
  };
  if (raw.startsWith("/") || /^[A-Za-z]:/.test(raw)) refuse("absolute path");
  if (raw.split(/[/\\]/).includes("..")) refuse("path traversal (..)");
  if (kind === "symlink" || kind === "hardlink") refuse(`${kind}s are not allowed in a pack`);
  if (kind === "device" || kind === "fifo" || kind === "other") refuse(`${kind} entries are not allowed`);
  let name = raw.startsWith("./") ? raw.slice(2) : raw;
  if (kind === "directory") {
    name = name.endsWith("/") ? name.slice(0, -1) : name;
    if (name !== "" && !(PACK_DIRS as readonly string[]).includes(name)) refuse("unexpected directory");
    return name;
  }
  if (!isPackFileName(name)) refuse("not a file of the pack layout");
  return name;
}
