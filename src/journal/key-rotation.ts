import { formatVerifierKey, parseVerifierKey } from "./keys.js";
import { NoteFormatError, openNote, signNote } from "./note.js";
import type { JournalRecord } from "./record.js";
import type { Signer, Verifier } from "./signer.js";

/**
 * key.rotated v1: the locker's signing key changed from `from` to `to`
 * (verifier keys, C2SP signed-note encoding). `statement` is a signed note
 * whose text restates origin, both keys and the time, signed by the old key
 * (it authorises the successor) and by the new one (it holds the key). The
 * statement alone lets an offline verifier walk from a key it trusts to the
 * next, with no journal; in the journal the record's leaf index also bounds
 * each key: the old one signs checkpoints up to the record (the last one,
 * signed at rotation, covers it), the new one from it on.
 */
export const KEY_ROTATED = "key.rotated";

export interface KeyRotatedRecord extends JournalRecord {
  readonly type: typeof KEY_ROTATED;
  readonly v: 1;
  readonly origin: string;
  readonly from: string;
  readonly to: string;
  readonly at: string;
  readonly statement: string;
}

const HEADER = "vigil key rotation v1";

/** The signed text: one fact per line, so no field can bleed into another (keys hold no spaces or newlines). */
export function rotationText(r: Pick<KeyRotatedRecord, "origin" | "from" | "to" | "at">): string {
  return `${HEADER}\n${r.origin}\nfrom ${r.from}\nto ${r.to}\nat ${r.at}\n`;
}

export function keyRotated(origin: string, old: Signer, next: Signer, at: Date): KeyRotatedRecord {
  const fields = {
    origin,
    from: formatVerifierKey(old.name, old.publicKey),
    to: formatVerifierKey(next.name, next.publicKey),
    at: at.toISOString(),
  };
  return { type: KEY_ROTATED, v: 1, ...fields, statement: signNote(rotationText(fields), [old, next]) };
}

/** A rotation's keys once its statement checks out. */
export interface CheckedRotation {
  readonly from: Verifier;
  readonly to: Verifier;
}

/** Checks one record: well-formed, statement text equal to its fields, signed by both keys. Result, not throw. */
export function checkRotation(r: JournalRecord): CheckedRotation | { problem: string } {
  const f = r as Partial<KeyRotatedRecord>;
  const strings = [f.origin, f.from, f.to, f.at, f.statement];
  if (r.type !== KEY_ROTATED || r.v !== 1 || !strings.every((s) => typeof s === "string"))
    return { problem: "not a key.rotated v1 record" };
  const rec = r as KeyRotatedRecord;
  let from: Verifier, to: Verifier;
  try {
    [from, to] = [parseVerifierKey(rec.from), parseVerifierKey(rec.to)];
  } catch (e) {
    return { problem: `bad verifier key: ${(e as Error).message}` };
  }
  if (from.keyId === to.keyId && from.name === to.name) return { problem: "rotates a key to itself" };
  try {
    const opened = openNote(rec.statement, [from]);
    if (opened.text !== rotationText(rec))
      return { problem: "statement does not restate the record's fields" };
    openNote(rec.statement, [to]);
  } catch (e) {
    if (!(e instanceof NoteFormatError)) throw e;
    return { problem: `statement: ${e.message} (it must be signed by both the old and the new key)` };
  }
  return { from, to };
}

/** A key and the tree sizes it may sign: [from, until] (until null: the current key). */
export interface KeySpan {
  readonly verifier: Verifier;
  /** As the rotation record spelled it (null for the key in use, known only as a verifier). */
  readonly verifierKey: string | null;
  readonly from: number;
  readonly until: number | null;
}

export interface KeyChain {
  readonly spans: readonly KeySpan[];
  /** Bad rotation records, breaks between them, a current key the chain does not end in. */
  readonly problems: readonly string[];
}

/**
 * The key history from the journal's key.rotated records (leaf index and
 * record, in order), anchored at a key the caller trusts: the signing key in
 * use, or a replica's pinned key, which may be any key of the chain (every
 * statement is signed by both its keys, so one trusted key vouches for the
 * linked rest). Rotation at leaf r hands sizes >= r+1 to the new key; the old
 * key keeps sizes <= r+1 (its sealing checkpoint covers the record). A bad
 * record is reported and skipped.
 */
export function buildKeyChain(
  rotations: readonly { index: number; record: JournalRecord }[],
  trusted: Verifier,
): KeyChain {
  const problems: string[] = [];
  const spans: KeySpan[] = [];
  let key: Verifier | null = null;
  let from = 0;
  for (const { index, record } of rotations) {
    const c = checkRotation(record);
    if ("problem" in c) {
      problems.push(`key.rotated record at leaf ${index}: ${c.problem}`);
      continue;
    }
    if (key !== null && !sameKey(c.from, key))
      problems.push(`key.rotated record at leaf ${index} rotates from a key that was not in use`);
    spans.push({ verifier: c.from, verifierKey: (record as KeyRotatedRecord).from, from, until: index + 1 });
    [key, from] = [c.to, index + 1];
  }
  spans.push({
    verifier: key ?? trusted,
    verifierKey: key === null ? null : lastTo(rotations),
    from,
    until: null,
  });
  if (!spans.some((s) => sameKey(s.verifier, trusted)))
    problems.push(
      "the trusted key (the signing key in use, or the key a replica follows) is not a key of the chain",
    );
  return { spans, problems };
}

function lastTo(rotations: readonly { record: JournalRecord }[]): string | null {
  const to = rotations.at(-1)?.record.to;
  return typeof to === "string" ? to : null;
}

/** Signed notes name a key by name and key id (C2SP signed-note). */
export function sameKey(a: Verifier, b: Verifier): boolean {
  return a.name === b.name && a.keyId === b.keyId;
}

/** The keys that may sign a checkpoint of `size` (two at a rotation's boundary). */
export function verifiersFor(chain: KeyChain, size: number): Verifier[] {
  return chain.spans
    .filter((s) => s.from <= size && (s.until === null || size <= s.until))
    .map((s) => s.verifier);
}

/**
 * Offline: every key reachable from a trusted one through rotation
 * statements (either direction: each statement is signed by both its keys),
 * for a pack's checkpoints. Statements that do not check out add nothing.
 */
export function trustThroughRotations(trusted: Verifier, statements: readonly JournalRecord[]): Verifier[] {
  const checked = statements.map(checkRotation).filter((c): c is CheckedRotation => !("problem" in c));
  const out = [trusted];
  for (let grew = true; grew;) {
    grew = false;
    for (const c of checked) {
      for (const [known, other] of [
        [c.from, c.to],
        [c.to, c.from],
      ] as const) {
        if (out.some((k) => sameKey(k, known)) && !out.some((k) => sameKey(k, other))) {
          out.push(other);
          grew = true;
        }
      }
    }
  }
  return out;
}
