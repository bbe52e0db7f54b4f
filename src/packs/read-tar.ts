import { createReadStream } from "node:fs";
import { Transform, Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGunzip } from "node:zlib";
import { Parser, type ReadEntry } from "tar";
import { fsError, isVigilError } from "../errors.js";
import type { MemberKind } from "./pack-layout.js";
import { DEFAULT_LIMITS, malformed, PackCollector, type PackFiles, type PackLimits } from "./pack-files.js";

/** Largest pax / GNU long-name header accepted (the parser ignores larger ones: refused below). */
const MAX_EXTENDED_HEADER = 64 * 1024;
/** RFC 1952 s2.3.1: gzip member magic (ID1, ID2). */
const GZIP_ID = [0x1f, 0x8b] as const;
/** POSIX ustar: headers and data come in 512-byte blocks; two zero blocks end the archive. */
const BLOCK = 512;
const TRAILING = "data after the end-of-archive marker";

function alignBlock(n: number): number {
  return Math.ceil(n / BLOCK) * BLOCK;
}

function lastNonZero(b: Buffer): number {
  let i = b.length - 1;
  while (i >= 0 && b[i] === 0) i--;
  return i;
}

/**
 * Reads a .tar.gz pack into memory without extracting anything to disk:
 * gunzip with byte and ratio caps, node-tar's parser for the tar framing,
 * and the collector for names, types, duplicates and member sizes.
 */
export async function readTarGz(
  path: string,
  limits: PackLimits = DEFAULT_LIMITS,
  gzip = true,
): Promise<PackFiles> {
  const reader = new TarReader(path, limits);
  try {
    if (gzip) await pipeline(createReadStream(path), reader.meter(), createGunzip(), reader.sink());
    else await pipeline(createReadStream(path), reader.meter(), reader.sink());
  } catch (e) {
    throw reader.explain(e);
  }
  return reader.collector.finish();
}

function kindOf(type: ReadEntry["type"]): MemberKind {
  switch (type) {
    case "File":
    case "OldFile":
    case "ContiguousFile":
      return "file";
    case "Directory":
      return "directory";
    case "SymbolicLink":
      return "symlink";
    case "Link":
      return "hardlink";
    case "CharacterDevice":
    case "BlockDevice":
      return "device";
    case "FIFO":
      return "fifo";
    default:
      return "other";
  }
}

class TarReader {
  readonly collector: PackCollector;
  private readonly parser: Parser;
  private compressed = 0;
  private out = 0;
  /** Bytes given to the parser: its position in the tar stream. */
  private fed = 0;
  private head: Buffer | null = Buffer.alloc(0);
  private eof = false;
  private failure: Error | null = null;

  constructor(
    private readonly path: string,
    private readonly limits: PackLimits,
  ) {
    this.collector = new PackCollector(limits, path);
    this.parser = new Parser({ strict: true, maxMetaEntrySize: MAX_EXTENDED_HEADER, zstd: false });
    this.parser.on("entry", (e: ReadEntry) => this.guard(() => this.entry(e)));
    this.parser.on("ignoredEntry", (e: ReadEntry) =>
      this.fail(
        this.bad(
          e.meta
            ? `${e.type} header larger than ${MAX_EXTENDED_HEADER} bytes`
            : `member ${JSON.stringify(e.path)}: unsupported ${e.type} entry`,
        ),
      ),
    );
    this.parser.on("error", (e: Error) => this.fail(this.bad(`not a valid tar archive (${e.message})`)));
    this.parser.on("eof", () => (this.eof = true));
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
      write: (chunk: Buffer, _enc, cb) => cb(this.attempt(() => this.consume(chunk))),
      final: (cb) => {
        let called = false;
        const done = () => {
          if (!called) cb(this.failure ?? this.attempt(() => this.complete()));
          called = true;
        };
        this.parser.once("end", done);
        this.parser.once("error", done);
        if (this.head !== null && this.head.length > 0) this.parser.write(this.head);
        this.parser.end();
      },
    });
  }

  /** A whole archive: its end-of-archive marker (two zero blocks) was reached, no member left open. */
  private complete(): void {
    if (!this.eof) throw this.bad("truncated archive: no end-of-archive marker");
    this.collector.finish();
  }

  private consume(chunk: Buffer): void {
    this.out += chunk.length;
    const { maxTotalBytes, maxRatio, ratioGraceBytes } = this.limits;
    if (this.out > maxTotalBytes) throw this.bad(`uncompressed size exceeds ${maxTotalBytes} bytes`);
    if (this.out > ratioGraceBytes && this.out > maxRatio * this.compressed)
      throw this.bad(`compression ratio exceeds ${maxRatio}:1 (a compression bomb?)`);
    if (this.eof) {
      if (lastNonZero(chunk) >= 0) throw this.bad(TRAILING);
      return;
    }
    const data = this.sniff(chunk);
    if (data === null) return;
    // Feed up to the end of the block holding the last non-zero byte, then the (zero) rest: if the
    // end-of-archive marker is reached in the first part, that byte lies after it.
    const last = lastNonZero(data);
    const cut = last < 0 ? 0 : Math.min(data.length, alignBlock(this.fed + last + 1) - this.fed);
    this.feed(data.subarray(0, cut));
    if (this.eof && cut > 0) throw this.bad(TRAILING);
    this.feed(data.subarray(cut));
  }

  private feed(part: Buffer): void {
    if (part.length === 0) return;
    this.fed += part.length;
    this.parser.write(part);
    if (this.failure !== null) throw this.failure;
  }

  /** The tar stream must not itself be compressed: the parser would silently gunzip it again. */
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

  private entry(e: ReadEntry): void {
    const sink = this.collector.member(e.path, kindOf(e.type), e.size);
    if (sink === null) {
      e.resume();
      return;
    }
    e.on("data", (c: Buffer) => this.guard(() => sink.write(c)));
    e.on("end", () => this.guard(() => sink.end()));
  }

  private attempt(fn: () => unknown): Error | null {
    try {
      fn();
      return null;
    } catch (e) {
      return e as Error;
    }
  }

  private guard(fn: () => void): void {
    const e = this.attempt(fn);
    if (e !== null) this.fail(e);
  }

  private fail(e: Error): void {
    this.failure ??= e;
  }

  private bad(why: string): Error {
    return malformed(this.path, why);
  }

  /** One typed error for whatever stopped the pipeline. */
  explain(e: unknown): Error {
    if (this.failure !== null) return this.failure;
    if (isVigilError(e)) return e;
    const code = (e as NodeJS.ErrnoException).code ?? "";
    if (code.startsWith("Z_") || code === "ERR_ZLIB_INITIALIZATION_FAILED")
      return this.bad(`not a valid gzip stream (${(e as Error).message})`);
    return fsError(this.path, e, "cannot read");
  }
}
