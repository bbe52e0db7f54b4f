import { decodeBase64Strict, isValidKeyName } from "./keys.js";
import type { Signer, Verifier } from "./signer.js";

/**
 * C2SP signed-note (https://c2sp.org/signed-note): a UTF-8 text ending in a
 * newline, a blank line, then one line per signature:
 * "— <key name> <base64(4-byte key id || signature)>\n" (U+2014 EM DASH).
 */
export class NoteFormatError extends Error {
  override name = "NoteFormatError";
}

const SIG_PREFIX = "\u2014 ";
/** Go's note.Open rejects more; C2SP requires verifiers to accept at least 16. */
export const MAX_SIGNATURES = 100;

export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Uint8Array;
}

export interface OpenedNote {
  readonly text: string;
  /** Signatures that a known verifier accepted. */
  readonly verified: readonly NoteSignature[];
  /** Signatures by keys the caller did not supply: ignored, per the spec. */
  readonly unverified: readonly NoteSignature[];
}

export function assertValidNoteText(text: string): void {
  if (text.length === 0 || !text.endsWith("\n"))
    throw new NoteFormatError("note text must end with a newline");
  if (!text.isWellFormed()) throw new NoteFormatError("note text is not valid UTF-8");
  // Go note: no control characters other than newline.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u0009\u000b-\u001f\u007f]/u.test(text))
    throw new NoteFormatError("note text has a control character");
}

export function signNote(text: string, signers: readonly Signer[]): string {
  assertValidNoteText(text);
  const msg = Buffer.from(text, "utf8");
  const lines = signers.map((s) => signatureLine(s.name, s.keyId, s.sign(msg)));
  return `${text}\n${lines.join("")}`;
}

export function signatureLine(name: string, keyId: number, sig: Uint8Array): string {
  const blob = Buffer.alloc(4 + sig.length);
  blob.writeUInt32BE(keyId, 0);
  blob.set(sig, 4);
  return `${SIG_PREFIX}${name} ${blob.toString("base64")}\n`;
}

/** Split a signed note into its text and raw signature lines, rejecting malformed notes. */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  const split = note.lastIndexOf("\n\n");
  if (split < 0) throw new NoteFormatError("malformed note: no blank line before signatures");
  const text = note.slice(0, split + 1);
  assertValidNoteText(text);
  const sigBlock = note.slice(split + 2);
  if (sigBlock.length === 0 || !sigBlock.endsWith("\n"))
    throw new NoteFormatError("malformed note: no signatures");
  const lines = sigBlock.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new NoteFormatError("malformed note: too many signatures");
  return { text, signatures: lines.map(parseSignatureLine) };
}

function parseSignatureLine(line: string): NoteSignature {
  if (!line.startsWith(SIG_PREFIX))
    throw new NoteFormatError("malformed note: signature line must start with an em dash");
  const rest = line.slice(SIG_PREFIX.length);
  const space = rest.indexOf(" ");
  const name = rest.slice(0, space);
  if (space < 0 || !isValidKeyName(name)) throw new NoteFormatError("malformed note: bad signature key name");
  const blob = decodeBase64Strict(rest.slice(space + 1));
  if (blob === null || blob.length < 5) throw new NoteFormatError("malformed note: bad signature encoding");
  return { name, keyId: blob.readUInt32BE(0), signature: blob.subarray(4) };
}

/**
 * Verify a signed note against known verifiers. Signatures by unknown keys are
 * ignored; a signature by a known key that does not verify, or a note with no
 * verified signature, is an error.
 */
export function openNote(note: string, verifiers: readonly Verifier[]): OpenedNote {
  const { text, signatures } = parseNote(note);
  const msg = Buffer.from(text, "utf8");
  const verified: NoteSignature[] = [];
  const unverified: NoteSignature[] = [];
  for (const sig of signatures) {
    const v = verifiers.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (v === undefined) {
      unverified.push(sig);
      continue;
    }
    if (!v.verify(msg, sig.signature)) throw new NoteFormatError(`invalid signature by ${sig.name}`);
    if (!verified.some((s) => s.name === sig.name && s.keyId === sig.keyId)) verified.push(sig);
  }
  if (verified.length === 0) throw new NoteFormatError("note has no verifiable signatures");
  return { text, verified, unverified };
}
