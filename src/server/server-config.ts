import { VigilError } from "../errors.js";

/** The server's configuration, parsed and checked once at start-up. */
export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** Largest JSON request body (bytes). */
  readonly bodyLimit: number;
  /** Largest single artifact upload (bytes), streamed, never buffered whole. */
  readonly uploadLimit: number;
  /** Most artifacts in one batch request. */
  readonly batchLimit: number;
  /** Largest request header section (bytes). */
  readonly headerLimit: number;
  /** A request that has not completed after this long is answered 408 and dropped. */
  readonly requestTimeoutMs: number;
  /** Anchor automatically this often when there are new records; 0 = never. */
  readonly anchorIntervalMs: number;
  /** Per token: sustained requests per second and the burst above it. */
  readonly rateLimit: { readonly perSecond: number; readonly burst: number };
}

export const DEFAULT_SERVER_CONFIG: ServerConfig = {
  host: "127.0.0.1",
  port: 7070,
  bodyLimit: 16 * 1024 * 1024,
  uploadLimit: 1024 * 1024 * 1024,
  batchLimit: 10_000,
  headerLimit: 16 * 1024,
  requestTimeoutMs: 60_000,
  anchorIntervalMs: 10_000,
  rateLimit: { perSecond: 2_000, burst: 4_000 },
};

/** Environment variables the server reads (through the CLI, the only reader of process.env). */
export const SERVER_ENV = {
  VIGIL_HOST: "host",
  VIGIL_PORT: "port",
  VIGIL_ANCHOR_INTERVAL_MS: "anchorIntervalMs",
  VIGIL_UPLOAD_LIMIT: "uploadLimit",
} as const;

type Raw = Record<string, unknown>;

/**
 * File (JSON object, optional) < environment < nothing else. Every bad
 * field is reported at once, naming where it came from.
 */
export function parseServerConfig(
  file: { text: string; path: string } | null,
  env: Readonly<Record<string, string | undefined>>,
): ServerConfig {
  const problems: string[] = [];
  const raw: Raw = { ...DEFAULT_SERVER_CONFIG, ...(file === null ? {} : fileObject(file)) };
  for (const [name, field] of Object.entries(SERVER_ENV)) {
    const v = env[name];
    if (v !== undefined && v !== "") raw[field] = field === "host" ? v : Number(v);
  }
  const known = new Set(Object.keys(DEFAULT_SERVER_CONFIG));
  for (const k of Object.keys(raw)) if (!known.has(k)) problems.push(`unknown setting ${JSON.stringify(k)}`);
  const int = (field: keyof ServerConfig, min: number, max: number): number => {
    const v = raw[field];
    if (typeof v === "number" && Number.isInteger(v) && v >= min && v <= max) return v;
    problems.push(`${field} must be an integer from ${min} to ${max}`);
    return 0;
  };
  const config: ServerConfig = {
    host: host(raw.host, problems),
    port: int("port", 0, 65535),
    bodyLimit: int("bodyLimit", 1024, 1024 ** 3),
    uploadLimit: int("uploadLimit", 1, 2 ** 50),
    batchLimit: int("batchLimit", 1, 1_000_000),
    headerLimit: int("headerLimit", 1024, 1024 * 1024),
    requestTimeoutMs: int("requestTimeoutMs", 100, 3_600_000),
    anchorIntervalMs: int("anchorIntervalMs", 0, 86_400_000),
    rateLimit: rate(raw.rateLimit, problems),
  };
  if (problems.length > 0) {
    const where = file === null ? "server configuration" : file.path;
    throw new VigilError("INPUT_INVALID", `${where}: ${problems.join("; ")}`);
  }
  return config;
}

function fileObject(file: { text: string; path: string }): Raw {
  let v: unknown;
  try {
    v = JSON.parse(file.text);
  } catch (e) {
    throw new VigilError("INPUT_INVALID", `${file.path}: not JSON (${(e as Error).message})`);
  }
  if (typeof v !== "object" || v === null || Array.isArray(v))
    throw new VigilError("INPUT_INVALID", `${file.path}: expected a JSON object`);
  return v as Raw;
}

function host(v: unknown, problems: string[]): string {
  if (typeof v === "string" && /^[A-Za-z0-9.:[\]-]{1,255}$/.test(v)) return v;
  problems.push("host must be a host name or IP address");
  return "";
}

function rate(v: unknown, problems: string[]): ServerConfig["rateLimit"] {
  const r = v as Raw | null;
  const ok = (x: unknown) => typeof x === "number" && Number.isInteger(x) && x >= 1 && x <= 10_000_000;
  if (typeof r === "object" && r !== null && ok(r.perSecond) && ok(r.burst))
    return { perSecond: r.perSecond as number, burst: r.burst as number };
  problems.push("rateLimit must be {perSecond, burst}, integers from 1 to 10000000");
  return DEFAULT_SERVER_CONFIG.rateLimit;
}
