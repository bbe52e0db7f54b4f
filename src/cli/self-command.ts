import { realpathSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";

/** A word for a POSIX shell: as it is when plain, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function realpath(p: string): string | null {
  try {
    return realpathSync(p);
  } catch {
    return null;
  }
}

/**
 * How to run this same executable from the caller's shell, whatever its
 * directory: `vigil` when that is the one PATH finds, else its absolute path
 * (`npm start` from a checkout: bin/vigil is not on PATH).
 */
export function selfCommand(executable: string, path: string | undefined): string {
  const self = realpath(executable);
  const first = (path ?? "")
    .split(delimiter)
    .filter((dir) => dir !== "")
    .map((dir) => realpath(join(dir, "vigil")))
    .find((p) => p !== null);
  if (self !== null && first === self) return "vigil";
  return shellWord(resolve(executable));
}
