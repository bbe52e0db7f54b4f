import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, open, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import { create } from "tar";
import { formatArtifactId } from "../domains/evidence/metadata.js";
import { fsError, isVigilError, VigilError } from "../errors.js";
import type { BlobStore } from "../storage/blob-store.js";
import { packJson } from "./json-fields.js";
import { manifestJson } from "./manifest.js";
import { CHAIN, CHECKPOINT, contentsPath, MANIFEST, PACK_DIRS, proofPath, README, recordPath, SUMS, VERIFIER_KEY } from "./pack-layout.js";
import { chainJson, proofJson } from "./pack-proofs.js";
import type { PackedArtifact, PackPlan } from "./plan-pack.js";
import { readmeText } from "./readme.js";
import { formatSums, type SumLine } from "./sha256sums.js";

export interface WrittenPack {
  readonly output: string;
  readonly format: "tar.gz" | "dir";
  readonly files: number;
  readonly bytes: number;
  /** SHA-256 of the .tar.gz, to publish alongside it; null for a directory. */
  readonly sha256: string | null;
}

/** gzip level 9 always: the same input gives the same bytes (with the same zlib). */
const GZIP_LEVEL = 9;

export function isTarballName(path: string): boolean {
  return /\.(tar\.gz|tgz)$/i.test(path);
}

/**
 * Writes the pack atomically: the files are built in a hidden sibling
 * directory, which is renamed into place (DIR) or archived to a temporary
 * name that is renamed into place (.tar.gz). Deterministic: sorted entries,
 * mode 0644, the checkpoint's time as every mtime, no owner names, fixed gzip.
 */
export async function writePack(plan: PackPlan, blobs: Pick<BlobStore, "open">, output: string): Promise<WrittenPack> {
  const target = resolve(output);
  const tarball = isTarballName(target);
  if (!tarball) await refuseExisting(target);
  const staging = join(dirname(target), `.${basename(target)}.vigil-part-${randomBytes(4).toString("hex")}`);
  try {
    const lines = await stage(plan, blobs, staging);
    const bytes = lines.reduce((n, l) => n + l.size, 0);
    const files = lines.length + 1;
    if (!tarball) {
      await rename(staging, target);
      await syncPath(dirname(target));
      return { output: target, format: "dir", files, bytes, sha256: null };
    }
    const sha256 = await archive(staging, [...lines.map((l) => l.path), SUMS], plan.mtime, target);
    return { output: target, format: "tar.gz", files, bytes, sha256 };
  } catch (e) {
    if (isVigilError(e)) throw e;
    throw fsError(output, e, "cannot write");
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

async function refuseExisting(target: string): Promise<void> {
  const exists = await stat(target).then(
    () => true,
    () => false,
  );
  if (exists) throw new VigilError("CONFLICT", `${target} already exists; a pack directory must be new`);
}

interface StagedLine extends SumLine {
  readonly size: number;
}

/** Writes every file of the pack under `dir` and returns what SHA256SUMS lists. */
async function stage(plan: PackPlan, blobs: Pick<BlobStore, "open">, dir: string): Promise<StagedLine[]> {
  await mkdir(dir, { mode: 0o755 });
  for (const d of PACK_DIRS) await mkdir(join(dir, d), { mode: 0o755 });
  const lines: StagedLine[] = [];
  const put = async (path: string, data: Buffer) => lines.push(await writeStaged(dir, path, data));
  await put(README, Buffer.from(readmeText(plan.manifest), "utf8"));
  await put(MANIFEST, packJson(manifestJson(plan.manifest)));
  await put(CHECKPOINT, Buffer.from(plan.note, "utf8"));
  await put(CHAIN, packJson(chainJson(plan.chain)));
  await put(VERIFIER_KEY, Buffer.from(`${plan.verifierKey}\n`, "utf8"));
  for (const a of plan.artifacts) {
    await put(recordPath(a.leafIndex), a.record);
    await put(proofPath(a.leafIndex), packJson(proofJson(a.proof)));
    lines.push(await copyContents(blobs, a, dir));
  }
  await writeStaged(dir, SUMS, formatSums(lines));
  for (const p of [...lines.map((l) => l.path), SUMS, ...PACK_DIRS, ""])
    await utimes(join(dir, p), plan.mtime, plan.mtime);
  await syncPath(dir);
  return lines;
}

async function writeStaged(dir: string, path: string, data: Buffer): Promise<StagedLine> {
  await writeFile(join(dir, path), data, { flag: "wx" });
  await syncPath(join(dir, path), 0o644);
  return { path, hex: createHash("sha256").update(data).digest("hex"), size: data.length };
}

/** Streams contents from the blob store, checking them against the digest the record commits to. */
async function copyContents(blobs: Pick<BlobStore, "open">, a: PackedArtifact, dir: string): Promise<StagedLine> {
  const path = contentsPath(a.digest.toString("hex"));
  const hash = createHash("sha256");
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      hash.update(chunk);
      size += chunk.length;
      cb(null, chunk);
    },
  });
  await pipeline(await blobs.open(a.digest), meter, createWriteStream(join(dir, path), { flags: "wx" }));
  const hex = hash.digest("hex");
  if (hex !== a.digest.toString("hex") || size !== a.size)
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `contents of ${formatArtifactId(a.digest)} do not match its digest and size (run: vigil verify --mode full)`,
    );
  await syncPath(join(dir, path), 0o644);
  return { path, hex, size };
}

/** fsync (and optionally chmod) a file or directory. */
async function syncPath(path: string, mode?: number): Promise<void> {
  const fh = await open(path, "r");
  try {
    if (mode !== undefined) await fh.chmod(mode);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Archives the staged files (sorted) to a temporary name, renamed onto `target`; returns its SHA-256. */
async function archive(staging: string, paths: readonly string[], mtime: Date, target: string): Promise<string> {
  const tmp = `${target}.vigil-part`;
  try {
    const sorted = [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    await create({ file: tmp, cwd: staging, gzip: { level: GZIP_LEVEL }, portable: true, mtime }, sorted);
    await syncPath(tmp);
    const hash = createHash("sha256");
    for await (const chunk of createReadStream(tmp)) hash.update(chunk as Buffer);
    await rename(tmp, target);
    await syncPath(dirname(target));
    return hash.digest("hex");
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
