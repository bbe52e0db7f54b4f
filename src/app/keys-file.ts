import { randomBytes } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
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
