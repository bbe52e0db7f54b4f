/** A file's bytes, or why they could not be used (the path is named by the caller). */
export type FileRead = { readonly bytes: Buffer } | { readonly problem: string };

/**
 * The TileSource port: where a tlog-tiles verifier reads a log's resources
 * (`checkpoint`, `tile/...`), by their path below the log's prefix
 * (https://c2sp.org/tlog-tiles). Adapters: a directory (TileDir), a URL
 * (HttpTiles), the live store (LogTiles). A source never returns more than
 * `maxBytes`: a hostile one cannot make the verifier hold gigabytes.
 */
export interface TileSource {
  read(path: string, maxBytes: number): Promise<FileRead>;
}
