import { createReadStream } from "node:fs";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { fsError, isVigilError } from "../errors.js";
import type { BatchHasher } from "./batch-hasher.js";
import { DEFAULT_LIMITS, malformed, PackCollector, type PackFiles, type PackLimits } from "./pack-files.js";
import { TarFormatError, TarWalker } from "./tar-walk.js";

/** RFC 1952 s2.3.1: gzip member magic (ID1, ID2). */
const GZIP_ID = [0x1f, 0x8b] as const;
/** Large reads and inflate chunks: fewer round trips to the thread pool, where zlib runs beside us. */
const CHUNK = 1 << 20;

/**
 * Reads a .tar.gz (or .tar) pack into memory without extracting anything to
 * disk: gunzip (in the thread pool, so on the other core) with byte and ratio
 * caps, the strict tar walker for the framing, and the collector for names,
 * types, duplicates and member sizes.
 */
export async function readTarGz(
  path: string,
  limits: PackLimits = DEFAULT_LIMITS,
  gzip = true,
  hasher: BatchHasher | null = null,
): Promise<PackFiles> {
  const reader = new TarReader(path, limits, hasher);
  const source = createReadStream(path, { highWaterMark: CHUNK });
  try {
    if (gzip) await pipeline(source, reader.meter(), createGunzip({ chunkSize: CHUNK }), reader.sink());
    else await pipeline(source, reader.meter(), reader.sink());
  } catch (e) {
    throw reader.explain(e);
  }
  return reader.collector.finish();
}

class TarReader {
  readonly collector: PackCollector;
  private readonly walker: TarWalker;
  private compressed = 0;
  private out = 0;
  private head: Buffer | null = Buffer.alloc(0);

  constructor(
    private readonly path: string,
    private readonly limits: PackLimits,
    hasher: BatchHasher | null,
  ) {
    this.collector = new PackCollector(limits, path, hasher);
    this.walker = new TarWalker(this.collector);
  }

  /** Counts compressed bytes, for the ratio check. */
  meter(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _enc, cb) => {
        this.compressed += chunk.length;
        cb(null, chunk);
      },
    });
  }

  /** Receives the decompressed tar stream. */
  sink(): Writable {
    return new Writable({
      highWaterMark: CHUNK,
      // Later, not inside zlib's callback: there the next chunk is inflated only once we return, so the
      // walk and the inflate would take turns instead of running side by side.
      write: (chunk: Buffer, _enc, cb) => setImmediate(() => cb(this.attempt(() => this.consume(chunk)))),
      final: (cb) =>
        cb(
          this.attempt(() => {
            if (this.head !== null && this.head.length > 0) this.walker.write(this.head);
            this.walker.end();
          }),
        ),
    });
  }

  private consume(chunk: Buffer): void {
    // Members are refused from their declared sizes first (the walker), then the stream caps apply.
    const data = this.sniff(chunk);
    if (data !== null) this.walker.write(data);
    this.out += chunk.length;
    const { maxTotalBytes, maxRatio, ratioGraceBytes } = this.limits;
    if (this.out > maxTotalBytes) throw this.bad(`uncompressed size exceeds ${maxTotalBytes} bytes`);
    if (this.out > ratioGraceBytes && this.out > maxRatio * this.compressed)
      throw this.bad(`compression ratio exceeds ${maxRatio}:1 (a compression bomb?)`);
  }

  /** The tar stream must not itself be compressed. */
  private sniff(chunk: Buffer): Buffer | null {
    if (this.head === null) return chunk;
    const head = Buffer.concat([this.head, chunk]);
    if (head.length < GZIP_ID.length) {
      this.head = head;
      return null;
    }
    this.head = null;
    if (head[0] === GZIP_ID[0] && head[1] === GZIP_ID[1]) throw this.bad("nested compression is not allowed");
    return head;
  }

  private attempt(fn: () => unknown): Error | null {
    try {
      fn();
      return null;
    } catch (e) {
      return e instanceof TarFormatError ? this.bad(e.message) : (e as Error);
    }
  }

  private bad(why: string): Error {
    return malformed(this.path, why);
  }

  /** One typed error for whatever stopped the pipeline. */
  explain(e: unknown): Error {
    if (isVigilError(e)) return e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("Z_") || code === "ERR_ZLIB_INITIALIZATION_FAILED")
      return this.bad(`not a valid gzip stream (${(e as Error).message})`);
    return fsError(this.path, e, "cannot read");
  }
}
