import { createHash } from "node:crypto";
import { chmodSync, createWriteStream, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { open } from "node:fs/promises";
import { join } from "node:path";
import { Transform, type Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { formatArtifactId } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";
import type { BlobStore } from "../storage/blob-store.js";
import { packJson } from "./json-fields.js";
import { manifestJson } from "./manifest.js";
import {
  CHAIN,
  KEYS,
  CHECKPOINT,
  contentsPath,
  MANIFEST,
  PACK_DIRS,
  proofPath,
  README,
  recordPath,
  SUMS,
  VERIFIER_KEY,
} from "./pack-layout.js";
import { keysJson } from "./pack-keys.js";
import { chainJson, proofJson } from "./pack-proofs.js";
import type { PackedArtifact, PackPlan } from "./plan-pack.js";
import { readmeText } from "./readme.js";
import { formatSums, type SumLine } from "./sha256sums.js";

export interface StagedLine extends SumLine {
  readonly size: number;
}

/** Contents up to this size are read into memory and written in one call (most evidence is small). */
const SMALL_CONTENTS = 1 << 20;
/** Parallel fsyncs: the file system commits them together. */
const SYNC_CONCURRENCY = 32;

/**
 * Writes every file of the pack under `dir` (new), mode 0644 whatever the
 * umask and the plan's time as every mtime; returns what SHA256SUMS lists.
 * Small files are written synchronously: thousands of them would otherwise
 * wait on the thread pool one at a time.
 */
export async function stagePack(
  plan: PackPlan,
  blobs: Pick<BlobStore, "open">,
  dir: string,
): Promise<StagedLine[]> {
  mkdirSync(dir, { mode: 0o755 });
  for (const d of PACK_DIRS) mkdirSync(join(dir, d), { mode: 0o755 });
  const lines: StagedLine[] = [];
  const put = (path: string, data: Buffer) => lines.push(writeStaged(dir, path, data));
  put(README, Buffer.from(readmeText(plan.manifest), "utf8"));
  put(MANIFEST, packJson(manifestJson(plan.manifest)));
  put(CHECKPOINT, Buffer.from(plan.note, "utf8"));
  put(CHAIN, packJson(chainJson(plan.chain)));
  put(VERIFIER_KEY, Buffer.from(`${plan.verifierKey}\n`, "utf8"));
  if (plan.rotations.length > 0) put(KEYS, packJson(keysJson(plan.rotations)));
  for (const a of plan.artifacts) {
    put(recordPath(a.leafIndex), a.record);
    put(proofPath(a.leafIndex), packJson(proofJson(a.proof)));
    lines.push(await copyContents(blobs, a, dir));
  }
  writeStaged(dir, SUMS, formatSums(lines));
  for (const p of [...lines.map((l) => l.path), SUMS, ...PACK_DIRS, ""])
    utimesSync(join(dir, p), plan.mtime, plan.mtime);
  return lines;
}

function writeStaged(dir: string, path: string, data: Buffer): StagedLine {
  writeFileSync(join(dir, path), data, { flag: "wx" });
  chmodSync(join(dir, path), 0o644);
  return { path, hex: createHash("sha256").update(data).digest("hex"), size: data.length };
}

/** Copies contents from the blob store, checking them against the digest the record commits to. */
async function copyContents(
  blobs: Pick<BlobStore, "open">,
  a: PackedArtifact,
  dir: string,
): Promise<StagedLine> {
  const path = contentsPath(a.digest.toString("hex"));
  const source = await blobs.open(a.digest);
  const { hex, size } =
    a.size <= SMALL_CONTENTS
      ? writeStaged(dir, path, await readAll(source, SMALL_CONTENTS))
      : await streamTo(source, join(dir, path));
  if (hex !== a.digest.toString("hex") || size !== a.size)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `contents of ${formatArtifactId(a.digest)} do not match its digest and size (run: vigil verify --mode full)`,
    );
  return { path, hex, size };
}

/** At most `max` + 1 bytes (enough to see that the contents are longer than recorded). */
async function readAll(source: Readable, max: number): Promise<Buffer> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of source) {
    parts.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > max) {
      source.destroy();
      break;
    }
  }
  return Buffer.concat(parts);
}

async function streamTo(source: Readable, file: string): Promise<{ hex: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(source, meter, createWriteStream(file, { flags: "wx", mode: 0o644 }));
  chmodSync(file, 0o644);
  return { hex: hash.digest("hex"), size };
}

/** fsync a file or directory. */
export async function syncPath(path: string): Promise<void> {
  const fh = await open(path, "r");
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsync many files, a bounded number at a time. */
export async function syncAll(paths: readonly string[]): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let p = paths[next++]; p !== undefined; p = paths[next++]) await syncPath(p);
  };
  await Promise.all(Array.from({ length: SYNC_CONCURRENCY }, worker));
}
