import { hash } from "node:crypto";
import type { ArtifactHelper } from "./artifact-helper.js";

/** Bytes gathered before a batch goes to the helper: small enough that it starts early, large enough to be worth a message. */
const BATCH_BYTES = 512 * 1024;

/** Each piece's SHA-256 in lowercase hex, concatenated: the pieces are consecutive in `bytes`, `lengths` long. */
export function hashPieces(bytes: Uint8Array, lengths: Int32Array): string {
  const out = new Array<string>(lengths.length);
  let at = 0;
  for (let k = 0; k < lengths.length; k++) {
    const n = lengths[k] as number;
    out[k] = hash("sha256", bytes.subarray(at, at + n), "hex");
    at += n;
  }
  return out.join("");
}

/** Where a hash is wanted: PackCollector's file entry, whose sha256 is filled in when the batch is answered. */
export interface HashTarget {
  sha256: string;
}

/**
 * Hashes pack members on the helper thread while the pack is still being
 * read: each member is copied into a shared batch buffer (one copy, no
 * clone), and its target's sha256 is set when the helper answers, or here
 * when it cannot. done() waits until every target has its hash.
 */
export class BatchHasher {
  private buf = newBatch();
  private used = 0;
  private lengths: number[] = [];
  private targets: HashTarget[] = [];
  private readonly pending: Promise<void>[] = [];

  constructor(private readonly helper: ArtifactHelper) {}

  add(data: Uint8Array, target: HashTarget): void {
    if (data.length > BATCH_BYTES) {
      target.sha256 = hash("sha256", data, "hex");
      return;
    }
    if (this.used + data.length > BATCH_BYTES) this.flush();
    this.buf.set(data, this.used);
    this.used += data.length;
    this.lengths.push(data.length);
    this.targets.push(target);
  }

  async done(): Promise<void> {
    this.flush();
    await Promise.all(this.pending);
  }

  private flush(): void {
    if (this.targets.length === 0) return;
    const bytes = this.buf.subarray(0, this.used);
    const lengths = Int32Array.from(this.lengths);
    const targets = this.targets;
    this.buf = newBatch();
    this.used = 0;
    this.lengths = [];
    this.targets = [];
    this.pending.push(
      this.helper.hash(bytes, lengths).then((hex) => {
        const all = hex ?? hashPieces(bytes, lengths);
        for (let k = 0; k < targets.length; k++)
          (targets[k] as HashTarget).sha256 = all.slice(64 * k, 64 * k + 64);
      }),
    );
  }
}

/** Shared memory: the helper reads the batch where it is, nothing is cloned. */
const newBatch = (): Uint8Array => new Uint8Array(new SharedArrayBuffer(BATCH_BYTES));
