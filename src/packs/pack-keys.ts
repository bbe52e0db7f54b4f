import { KEY_ROTATED } from "../journal/key-rotation.js";
import type { JournalRecord } from "../journal/record.js";
import { asObject, PackJsonError, parseObject, stringField } from "./json-fields.js";
import { KEYS } from "./pack-layout.js";

/**
 * keys.json (vigil.key-rotations v1): the locker's key.rotated records up to
 * the pack's checkpoint, present only when its key was ever rotated. Each
 * carries a statement signed by the old and the new key, so a verifier who
 * trusts any key of the chain reaches the one that signed the checkpoint.
 */
export const KEYS_TYPE = "vigil.key-rotations";

/** More rotations than any locker makes: a longer list only costs time. */
const MAX_ROTATIONS = 1000;

export function keysJson(rotations: readonly JournalRecord[]): object {
  return { type: KEYS_TYPE, v: 1, rotations };
}

/** The rotation records, shape-checked; their signatures are judged by trustThroughRotations. */
export function parseKeys(bytes: Uint8Array): JournalRecord[] {
  const o = parseObject(bytes, ["type", "v", "rotations"], KEYS);
  if (o.type !== KEYS_TYPE || o.v !== 1) throw new PackJsonError(`${KEYS}: not ${KEYS_TYPE} v1`);
  const list = o.rotations;
  if (!Array.isArray(list) || list.length > MAX_ROTATIONS)
    throw new PackJsonError(`${KEYS}: rotations must be a list of at most ${MAX_ROTATIONS}`);
  return list.map((r: unknown, i) => {
    const where = `${KEYS}: rotations[${i}]`;
    const rec = asObject(r, ["type", "v", "origin", "from", "to", "at", "statement"], where);
    for (const k of ["origin", "from", "to", "at", "statement"]) stringField(rec, k, where);
    if (rec.type !== KEY_ROTATED || rec.v !== 1)
      throw new PackJsonError(`${where}: not a ${KEY_ROTATED} v1 record`);
    return rec as JournalRecord;
  });
}
