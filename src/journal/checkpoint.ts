import { HASH_SIZE } from "./hash.js";
import { decodeBase64Strict } from "./keys.js";

/**
 * C2SP tlog-checkpoint (https://c2sp.org/tlog-checkpoint) body: origin line,
 * decimal tree size, base64 root hash, then optional extension lines.
 */
export class CheckpointFormatError extends Error {
  override name = "CheckpointFormatError";
}

export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  readonly root: Uint8Array;
  /** Everything after the root hash line, verbatim ("" when there are no extension lines). */
  readonly rest: string;
}

export function formatCheckpoint(cp: Checkpoint): string {
  if (cp.origin.length === 0 || /\n/.test(cp.origin))
    throw new CheckpointFormatError("origin must be one non-empty line");
  if (!Number.isSafeInteger(cp.size) || cp.size < 0)
    throw new CheckpointFormatError("size must be a non-negative integer");
  if (cp.rest !== "" && !cp.rest.endsWith("\n"))
    throw new CheckpointFormatError("extension lines must end with a newline");
  return `${cp.origin}\n${cp.size}\n${Buffer.from(cp.root).toString("base64")}\n${cp.rest}`;
}

/**
 * Parse a checkpoint body. `hashSize` is the root length to insist on (32 for
 * SHA-256 logs); null accepts any length, as the reference parser does.
 */
export function parseCheckpoint(text: string, hashSize: number | null = HASH_SIZE): Checkpoint {
  const [origin, sizeText, rootText] = takeLines(text, 3);
  if (origin.length === 0) throw new CheckpointFormatError("checkpoint origin is empty");
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText))
    throw new CheckpointFormatError("checkpoint size is not a decimal number");
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new CheckpointFormatError("checkpoint size is too large");
  const root = decodeBase64Strict(rootText);
  if (root === null || root.length === 0)
    throw new CheckpointFormatError("checkpoint root hash is not base64");
  if (hashSize !== null && root.length !== hashSize) {
    throw new CheckpointFormatError(`checkpoint root hash is ${root.length} bytes, expected ${hashSize}`);
  }
  const rest = text.slice(origin.length + sizeText.length + rootText.length + 3);
  return { origin, size, root, rest };
}

function takeLines(text: string, n: number): [string, string, string] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < n; i++) {
    const nl = text.indexOf("\n", at);
    if (nl < 0)
      throw new CheckpointFormatError(
        "checkpoint needs origin, size and root hash lines, each ending in a newline",
      );
    out.push(text.slice(at, nl));
    at = nl + 1;
  }
  return out as [string, string, string];
}
