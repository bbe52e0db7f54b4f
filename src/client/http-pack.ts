import { createHash } from "node:crypto";
import { resolve } from "node:path";
import { Readable, Transform } from "node:stream";
import type { ReadableStream as WebStream } from "node:stream/web";
import { VigilError } from "../errors.js";
import type { ExportResult } from "../packs/export-pack.js";
import { parseManifest } from "../packs/manifest.js";
import { MANIFEST, SUMS } from "../packs/pack-layout.js";
import { readPack } from "../packs/read-pack.js";
import { isPlainTar, isTarballName } from "../packs/write-pack.js";
import { writeOutputFile } from "../storage/fs/write-output-file.js";
import { call, type Remote } from "./http-call.js";
import type { PackChoice } from "./vigil-client.js";

/**
 * POST /v1/packs, written to `output` atomically. The server's export is the
 * same deterministic writer as a local one, so the bytes are those a local
 * `vigil export` of the locker gives; the summary is read back from them.
 */
export async function downloadPack(
  r: Remote,
  choice: PackChoice,
  includeDeps: boolean,
  output: string,
): Promise<ExportResult> {
  if (!isTarballName(output) || isPlainTar(output))
    throw new VigilError("USAGE", "with --server, -o must name a .tar.gz (or .tgz): the server sends one");
  const body = JSON.stringify({ ...choice, includeDeps });
  const res = await call(r, "/v1/packs", {
    method: "POST",
    body,
    headers: { "content-type": "application/json" },
  });
  const hash = createHash("sha256");
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const stream = res.body === null ? Readable.from([]) : Readable.fromWeb(res.body as WebStream<Uint8Array>);
  await writeOutputFile(output, stream.pipe(tee));
  const sha256 = hash.digest("hex");
  if (sha256 !== res.headers.get("vigil-pack-sha256"))
    throw new VigilError(
      "INTEGRITY_FAILURE",
      `${output}: the pack's SHA-256 is not the one the server announced`,
    );
  return summarise(resolve(output), sha256);
}

/** What `vigil export` reports of a pack it wrote, read back from the pack itself. */
async function summarise(output: string, sha256: string): Promise<ExportResult> {
  const files = await readPack(output);
  const m = files.get(MANIFEST)?.bytes;
  if (m === undefined || m === null) throw new VigilError("STORAGE_CORRUPT", `${output}: no ${MANIFEST}`);
  const manifest = parseManifest(m, output);
  let bytes = 0;
  for (const [path, f] of files) if (path !== SUMS) bytes += f.size;
  return {
    output,
    format: "tar.gz",
    files: files.size,
    bytes,
    sha256,
    artifacts: manifest.artifacts.map((a) => a.id),
    checkpoint: { seq: manifest.checkpoint.seq, size: manifest.checkpoint.size },
  };
}
