import { VigilError } from "../../errors.js";
import { DEFAULT_TENANT } from "../../storage/index-ops.js";

export { DEFAULT_TENANT };

/** Built-in retention classes and their days (stella-evidence-locker-runbook: operational 2y, audit 7y, incident indefinite). */
export const DEFAULT_RETENTION_DAYS: Readonly<Record<string, number | null>> = {
  operational: 730,
  audit: 2555,
  incident: null,
};
export const DEFAULT_RETENTION_CLASSES: readonly string[] = Object.keys(DEFAULT_RETENTION_DAYS);

export interface EvidenceMeta {
  /** The isolated namespace the artifact belongs to. */
  readonly tenant: string;
  readonly domain: string;
  readonly subdomain: string;
  readonly name: string;
  readonly date: string;
  readonly kind: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly retention: string;
  readonly producer: string | null;
  readonly parents: readonly string[];
  /** File extension of the canonical path, with its dot (".json" by default). */
  readonly ext: string;
}

/** Raw metadata as it arrives from a flag, a JSONL line or an API body. */
export interface RawEvidenceMeta {
  tenant?: unknown;
  domain?: unknown;
  subdomain?: unknown;
  name?: unknown;
  date?: unknown;
  kind?: unknown;
  labels?: unknown;
  retention?: unknown;
  producer?: unknown;
  parents?: unknown;
  ext?: unknown;
}

// eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
const CONTROL = /[\u0000-\u001f\u007f]/;
const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const LABEL_KEY = /^[a-z0-9][a-z0-9._/-]{0,62}$/;
const DIGEST = /^(sha256:)?[0-9a-f]{64}$/;

/** Parse metadata from untrusted input, collecting every bad field before failing. */
export function parseEvidenceMeta(
  raw: RawEvidenceMeta,
  where: string,
  retentionClasses: readonly string[],
): EvidenceMeta {
  const problems: string[] = [];
  const slug = (field: keyof RawEvidenceMeta, fallback?: string): string => {
    const v = raw[field] ?? fallback;
    if (typeof v === "string" && SLUG.test(v)) return v;
    problems.push(`${field} must match ${SLUG.source}`);
    return "";
  };
  const meta: EvidenceMeta = {
    tenant: slug("tenant", DEFAULT_TENANT),
    domain: slug("domain"),
    subdomain: slug("subdomain", "general"),
    name: slug("name"),
    kind: slug("kind", "generic"),
    date: parseDate(raw.date, problems),
    labels: parseLabels(raw.labels, problems),
    retention: parseRetention(raw.retention, retentionClasses, problems),
    producer: parseProducer(raw.producer, problems),
    parents: parseParents(raw.parents, problems),
    ext: parseExt(raw.ext, problems),
  };
  if (problems.length > 0) throw new VigilError("INPUT_INVALID", `${where}: ${problems.join("; ")}`);
  return meta;
}

function parseDate(v: unknown, problems: string[]): string {
  if (typeof v === "string" && isCalendarDate(v)) return v;
  problems.push("date must be a calendar date YYYY-MM-DD");
  return "";
}

const YMD = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/** YYYY-MM-DD naming a day of the proleptic Gregorian calendar (what Date accepts and prints back), by arithmetic. */
export function isCalendarDate(v: string): boolean {
  const m = YMD.exec(v);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return day <= (month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] as number));
}

function parseLabels(v: unknown, problems: string[]): Record<string, string> {
  if (v === undefined) return {};
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    problems.push("labels must be an object of string values");
    return {};
  }
  const out: Record<string, string> = {};
  for (const [k, val] of Object.entries(v)) {
    if (!LABEL_KEY.test(k) || typeof val !== "string" || val.length > 256 || !val.isWellFormed()) {
      problems.push(`label ${JSON.stringify(k)} must be key=value with key matching ${LABEL_KEY.source}`);
      continue;
    }
    out[k] = val;
  }
  return out;
}

function parseRetention(v: unknown, classes: readonly string[], problems: string[]): string {
  const value = v ?? "operational";
  if (typeof value === "string" && classes.includes(value)) return value;
  problems.push(`retention must be one of ${classes.join(", ")}`);
  return "";
}

function parseProducer(v: unknown, problems: string[]): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === "string" && v.length > 0 && v.length <= 200 && v.isWellFormed() && !CONTROL.test(v))
    return v;
  problems.push("producer must be a non-empty string of at most 200 characters");
  return null;
}

function parseParents(v: unknown, problems: string[]): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((p) => typeof p === "string" && DIGEST.test(p))) {
    problems.push("parents must be sha256 digests (64 hex digits, optionally prefixed sha256:)");
    return [];
  }
  const ids = (v as string[]).map(normalizeDigest);
  return [...new Set(ids)].sort();
}

function parseExt(v: unknown, problems: string[]): string {
  if (v === undefined || v === null || v === "") return ".json";
  if (typeof v === "string" && /^\.[a-z0-9]{1,10}$/.test(v)) return v;
  problems.push("ext must look like .json");
  return ".json";
}

/** "sha256:<hex>" from either form. */
export function normalizeDigest(id: string): string {
  return id.startsWith("sha256:") ? id : `sha256:${id}`;
}

/** Parse an artifact id given by a user: sha256:<hex> or bare hex. */
export function parseArtifactId(id: string): Buffer {
  if (!DIGEST.test(id))
    throw new VigilError("INPUT_INVALID", `artifact id ${JSON.stringify(id)} is not a sha256 digest`);
  return Buffer.from(id.slice(-64), "hex");
}

/** A tenant name given by a user or a token: the same slug rule as the other names. */
export function parseTenant(v: unknown, where: string): string {
  if (typeof v === "string" && SLUG.test(v)) return v;
  throw new VigilError("INPUT_INVALID", `${where}: tenant must match ${SLUG.source}`);
}

export function formatArtifactId(digest: Buffer): string {
  return `sha256:${digest.toString("hex")}`;
}

/** The source documents' convention: [domain]/[subdomain]/[name]_YYYYMMDD.json. */
export function canonicalPath(m: EvidenceMeta): string {
  return `${m.domain}/${m.subdomain}/${m.name}_${m.date.replaceAll("-", "")}${m.ext}`;
}
