import { randomBytes } from "node:crypto";
import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from "node:fs";
import { dirname } from "node:path";
import { formatSignerKey, formatVerifierKey, parseSignerKey, type Signer } from "../journal/index.js";
import { VigilError } from "../errors.js";

/** A new Ed25519 key in Go note's PRIVATE+KEY text form, and its verifier key. */
export function generateKeyPair(name: string): { signerKey: string; verifierKey: string } {
  const seed = randomBytes(32);
  const signerKey = formatSignerKey(name, seed);
  const signer = parseSignerKey(signerKey);
  return { signerKey, verifierKey: formatVerifierKey(name, signer.publicKey) };
}

/** Loads the signing key, refusing one that other users can read. */
export function loadSigner(path: string): Signer {
  let mode: number;
  let text: string;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new VigilError(
      "KEY_INVALID",
      `signing key ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  if ((mode & 0o077) !== 0) {
    throw new VigilError(
      "PERMISSION_DENIED",
      `signing key ${path} is readable by others (mode ${(mode & 0o777).toString(8)}); chmod 600 it`,
    );
  }
  try {
    return parseSignerKey(text);
  } catch (e) {
    throw new VigilError("KEY_INVALID", `signing key ${path}: ${(e as Error).message}`);
  }
}

/** Where the next key waits until the journal records it (paths.signingKey + ".next"). */
export function nextKeyPaths(signingKey: string, verifierKey: string) {
  return { key: `${signingKey}.next`, vkey: `${verifierKey}.next` };
}

/**
 * After a crash between the two renames of a rotation: the new signing key
 * is in place and its verifier key still at .next. Completes the rename when
 * .next is exactly the key's verifier key; anything else is left for the
 * key check to refuse.
 */
export function finishVerifierSwap(signingKey: string, verifierKey: string): void {
  const next = nextKeyPaths(signingKey, verifierKey);
  if (existsSync(next.key) || !existsSync(next.vkey)) return;
  const s = loadSigner(signingKey);
  if (readFileSync(next.vkey, "utf8").trim() !== formatVerifierKey(s.name, s.publicKey)) return;
  renameSync(next.vkey, verifierKey);
  syncDir(dirname(signingKey));
}

export function writeDurable(path: string, text: string, mode: number): void {
  const fd = openSync(path, "wx", mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

export function syncDir(dir: string): void {
  const fd = openSync(dir, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
