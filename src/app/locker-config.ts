import { parseVerifierKey } from "../journal/index.js";
import { VigilError } from "../errors.js";
import { DEFAULT_RETENTION_DAYS } from "../domains/evidence/metadata.js";

/** vigil.json, the locker's own configuration; versioned like every wire format. */
export interface LockerConfig {
  readonly format: "vigil-locker";
  readonly v: 1;
  readonly lockerId: string;
  readonly origin: string;
  readonly createdAt: string;
  /** Contents up to this many bytes are kept inline in the database. */
  readonly inlineLimit: number;
  readonly retentionClasses: readonly string[];
  /** Days each class is kept after its evidence date; null = indefinitely. */
  readonly retentionDays: Readonly<Record<string, number | null>>;
  /** Set when the journal, index and contents live in PostgreSQL instead of vigil.db. */
  readonly databaseUrl?: string;
  /** Set on a follower: the log it copies. A replica holds no signing key and never appends itself. */
  readonly replicaOf?: ReplicaOf;
}

/** The source a replica follows: its checkpoint origin and the verifier key its checkpoints must carry. */
export interface ReplicaOf {
  readonly origin: string;
  readonly verifierKey: string;
}

export const DEFAULT_INLINE_LIMIT = 64 * 1024;

export function parseLockerConfig(text: string, where: string): LockerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new VigilError("STORAGE_CORRUPT", `${where}: not JSON (${(e as Error).message})`);
  }
  const r = raw as Partial<Record<keyof LockerConfig, unknown>>;
  const bad = (field: string): never => {
    throw new VigilError("STORAGE_CORRUPT", `${where}: field ${field} is missing or invalid`);
  };
  if (typeof raw !== "object" || raw === null) bad("(root)");
  if (r.format !== "vigil-locker") bad("format");
  if (r.v !== 1) bad("v");
  if (typeof r.lockerId !== "string" || !/^lck_[0-9a-f]{16}$/.test(r.lockerId)) bad("lockerId");
  if (typeof r.origin !== "string" || r.origin.length === 0 || /\s/.test(r.origin)) bad("origin");
  if (typeof r.createdAt !== "string") bad("createdAt");
  const inlineLimit = r.inlineLimit ?? DEFAULT_INLINE_LIMIT;
  if (!Number.isSafeInteger(inlineLimit) || (inlineLimit as number) < 0 || (inlineLimit as number) > 1 << 24)
    bad("inlineLimit");
  const days = parseRetentionDays(r.retentionDays, bad);
  const classes = Object.keys(days);
  return {
    format: "vigil-locker",
    v: 1,
    lockerId: r.lockerId as string,
    origin: r.origin as string,
    createdAt: r.createdAt as string,
    inlineLimit: inlineLimit as number,
    retentionClasses: classes,
    retentionDays: days,
    ...(r.databaseUrl === undefined ? {} : { databaseUrl: parseDatabaseUrl(r.databaseUrl, bad) }),
    ...(r.replicaOf === undefined ? {} : { replicaOf: parseReplicaOf(r.replicaOf, r.origin as string, bad) }),
  };
}

/** A PostgreSQL connection URL (postgres:// or postgresql://, with a host or socket path). */
export function parseDatabaseUrl(raw: unknown, bad: (field: string) => never): string {
  if (typeof raw !== "string") return bad("databaseUrl");
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return bad("databaseUrl");
  }
  if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") bad("databaseUrl");
  // vigil.json is world-readable: a password belongs in ~/.pgpass or PGPASSWORD, never here.
  if (u.password !== "") bad("databaseUrl (it must not contain a password; use ~/.pgpass or PGPASSWORD)");
  return raw;
}

/** A replica's checkpoints are its source's: same origin, verified with the source's key. */
function parseReplicaOf(raw: unknown, origin: string, bad: (field: string) => never): ReplicaOf {
  const r = (typeof raw === "object" && raw !== null ? raw : bad("replicaOf")) as Record<string, unknown>;
  if (r.origin !== origin) bad("replicaOf.origin");
  if (typeof r.verifierKey !== "string") return bad("replicaOf.verifierKey");
  try {
    if (parseVerifierKey(r.verifierKey).name !== origin) bad("replicaOf.verifierKey");
  } catch {
    bad("replicaOf.verifierKey");
  }
  return { origin, verifierKey: r.verifierKey };
}

/**
 * Retention classes: the defaults (operational 2 years, audit 7 years,
 * incident indefinitely — stella-evidence-locker-runbook) plus custom classes
 * from vigil.json `retentionDays` ({"pci": 365, "legal": null}).
 */
function parseRetentionDays(raw: unknown, bad: (field: string) => never): Record<string, number | null> {
  const out: Record<string, number | null> = { ...DEFAULT_RETENTION_DAYS };
  if (raw === undefined) return out;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) bad("retentionDays");
  for (const [name, d] of Object.entries(raw as Record<string, unknown>)) {
    if (!/^[a-z][a-z0-9-]{0,31}$/.test(name)) bad(`retentionDays.${name}`);
    if (d !== null && (!Number.isSafeInteger(d) || (d as number) < 1 || (d as number) > 36500))
      bad(`retentionDays.${name}`);
    out[name] = d as number | null;
  }
  return out;
}
