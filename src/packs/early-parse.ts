import type { PackManifest } from "./manifest.js";
import { parseManifest } from "./manifest.js";
import { MANIFEST } from "./pack-layout.js";

/**
 * manifest.json parsed as soon as a reader has it, while the rest of the
 * archive is still being inflated beside us, and remembered for verifyPack:
 * the same function on the same bytes, only sooner (a failure is remembered
 * too and thrown where verifyPack asks). SHA256SUMS is not parsed at all
 * when it matches the files exactly (verify-sums.ts: sumsMatch).
 */
type Outcome<T> = { readonly where: string; readonly ok: true; readonly value: T } | FailedOutcome;
type FailedOutcome = { readonly where: string; readonly ok: false; readonly error: unknown };

const manifests = new WeakMap<Uint8Array, Outcome<PackManifest>>();

/** A reader has the whole file `name` of the pack `where`. */
export function parseEarly(name: string, bytes: Uint8Array, where: string): void {
  if (name === MANIFEST)
    manifests.set(
      bytes,
      attempt(() => parseManifest(bytes, where), where),
    );
}

export function manifestOf(bytes: Uint8Array, where: string): PackManifest {
  return remembered(manifests.get(bytes), where) ?? parseManifest(bytes, where);
}

function attempt<T>(parse: () => T, where: string): Outcome<T> {
  try {
    return { where, ok: true, value: parse() };
  } catch (error) {
    return { where, ok: false, error };
  }
}

/** The remembered outcome, when it was for the same name of the pack (messages carry it). */
function remembered<T>(o: Outcome<T> | undefined, where: string): T | null {
  if (o === undefined || o.where !== where) return null;
  if (o.ok) return o.value;
  throw o.error;
}
