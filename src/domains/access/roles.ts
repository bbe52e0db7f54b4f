/**
 * Roles and what each may do (provability-fabric-ops-runbook: access
 * receipts, tenant isolation). Pure: the server asks `allows(role, action)`
 * once per request, before it touches any evidence.
 */
export const ROLES = ["admin", "operator", "auditor", "producer", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** Everything a request can ask for; each route names exactly one. */
export const ACTIONS = [
  "evidence.write", // add artifacts
  "evidence.read", // download contents
  "evidence.list", // list, inspect, exists, provenance (metadata only)
  "evidence.lifecycle", // hold, release, mark corrupted
  "proof.read", // inclusion and consistency proofs, anchors, checkpoints
  "anchor.create",
  "verify.run",
  "verify.read", // verification reports
  "pack.export",
  "storage.read", // storage stats
  "audit.read", // access receipts
  "log.read", // the journal as tlog tiles
  "backup.read", // list backups (locker-wide: ids, anchors, journal sizes)
  "backup.create", // an online backup of the whole locker
] as const;
export type Action = (typeof ACTIONS)[number];

const READ_META: readonly Action[] = ["evidence.list", "proof.read", "verify.read", "storage.read"];

// Backups copy every tenant's evidence: only admin creates one. An operator
// runs the locker day to day and so may see that backups exist (and what
// they cover), but cannot start one; tenant-scoped tokens see no byte counts.
const GRANTS: Readonly<Record<Role, readonly Action[]>> = {
  admin: ACTIONS,
  operator: [...READ_META, "evidence.write", "evidence.read", "evidence.lifecycle", "anchor.create", "verify.run", "pack.export", "log.read", "backup.read"],
  auditor: [...READ_META, "evidence.read", "pack.export", "audit.read", "log.read"],
  producer: ["evidence.write"],
  viewer: READ_META,
}; // prettier-ignore

export function allows(role: Role, action: Action): boolean {
  return GRANTS[role].includes(action);
}

export function isRole(v: unknown): v is Role {
  return typeof v === "string" && (ROLES as readonly string[]).includes(v);
}

/**
 * The tenant of a token that spans every tenant. Only admin and auditor
 * tokens may hold it: the journal's raw entries (tlog entry bundles) and
 * cross-tenant audits need it.
 */
export const ALL_TENANTS = "*";
