import { VigilError } from "../errors.js";
import { DEFAULT_RETENTION_CLASSES } from "../domains/evidence/metadata.js";

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
  const classes = r.retentionClasses ?? DEFAULT_RETENTION_CLASSES;
  if (
    !Array.isArray(classes) ||
    !classes.every((c) => typeof c === "string" && /^[a-z][a-z0-9-]*$/.test(c))
  ) {
    bad("retentionClasses");
  }
  return {
    format: "vigil-locker",
    v: 1,
    lockerId: r.lockerId as string,
    origin: r.origin as string,
    createdAt: r.createdAt as string,
    inlineLimit: inlineLimit as number,
    retentionClasses: classes as string[],
  };
}
