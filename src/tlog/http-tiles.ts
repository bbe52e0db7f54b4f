import type { FileRead, TileSource } from "./tile-source.js";

export interface HttpTilesOptions {
  /** Sent as `Authorization: Bearer <token>` (entry bundles of a Vigil server need one). */
  readonly token?: string;
  /** Per request; a stalled server is a problem, not a hang. */
  readonly timeoutMs?: number;
}

/**
 * A tlog-tiles log served over HTTP(S) at `prefix` (https://c2sp.org/tlog-tiles,
 * "APIs"): `<prefix>/checkpoint`, `<prefix>/tile/...`. The server is
 * untrusted: bodies are read up to `maxBytes` and no further, redirects are
 * not followed, and every failure is a problem naming the status.
 */
export class HttpTiles implements TileSource {
  private readonly prefix: string;

  constructor(
    prefix: string,
    private readonly options: HttpTilesOptions = {},
  ) {
    this.prefix = prefix.replace(/\/+$/, "");
  }

  async read(path: string, maxBytes: number): Promise<FileRead> {
    let res: Response;
    try {
      res = await fetch(`${this.prefix}/${path}`, {
        redirect: "manual",
        headers: this.options.token === undefined ? {} : { authorization: `Bearer ${this.options.token}` },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (e) {
      return { problem: `unreachable (${(e as Error).name})` };
    }
    if (res.status === 200) return readCapped(res, maxBytes);
    await res.body?.cancel();
    return { problem: res.status === 404 ? "missing" : `HTTP ${res.status}` };
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<FileRead> {
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    return { problem: `is ${declared} bytes, more than the ${maxBytes} allowed` };
  }
  const parts: Buffer[] = [];
  let got = 0;
  try {
    for await (const chunk of res.body ?? []) {
      got += (chunk as Uint8Array).length;
      if (got > maxBytes) return { problem: `is more than the ${maxBytes} bytes allowed` };
      parts.push(Buffer.from(chunk as Uint8Array));
    }
  } catch (e) {
    return { problem: `body could not be read (${(e as Error).name})` };
  }
  return { bytes: Buffer.concat(parts) };
}
