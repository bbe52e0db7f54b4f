import { randomBytes, timingSafeEqual } from "node:crypto";
import { encodeRecord, sha256 } from "../../journal/index.js";
import type { Clock } from "../../clock.js";
import { VigilError } from "../../errors.js";
import type { StoredToken } from "../../storage/index-ops.js";
import type { LogStore, Projector } from "../../storage/log-store.js";
import type { TokenIndex } from "../../storage/token-index.js";
import { parseTenant } from "../evidence/metadata.js";
import { ALL_TENANTS, isRole, ROLES, type Role } from "./roles.js";
import {
  TOKEN_CREATED,
  TOKEN_REVOKED,
  type TokenCreatedRecord,
  type TokenRevokedRecord,
} from "./token-records.js";

export interface TokenDeps {
  readonly log: LogStore;
  readonly tokens: TokenIndex;
  readonly clock: Clock;
  readonly project: Projector;
}

/** Who a request acts as, once its token checked out. */
export interface Principal {
  readonly tokenId: string;
  readonly name: string;
  readonly role: Role;
  /** A tenant name, or ALL_TENANTS. */
  readonly tenant: string;
}

export interface TokenRequest {
  readonly name: string;
  readonly role: string;
  readonly tenant: string;
  /** ISO time after which the token is refused; null = never. */
  readonly expiresAt: string | null;
}

const ID = /^tok_[0-9a-z]{8,32}$/;
const SECRET = /^[A-Za-z0-9_-]{43}$/;

/** Parses a token request from a CLI or API caller, collecting every problem. */
export function parseTokenRequest(raw: Record<string, unknown>, where: string): TokenRequest {
  const problems: string[] = [];
  const name = raw.name;
  if (typeof name !== "string" || !/^[\x21-\x7e][\x20-\x7e]{0,99}$/.test(name))
    problems.push("name must be 1-100 printable ASCII characters");
  if (!isRole(raw.role)) problems.push(`role must be one of ${ROLES.join(", ")}`);
  let tenant = "";
  if (raw.tenant === ALL_TENANTS) {
    if (raw.role !== "admin" && raw.role !== "auditor")
      problems.push(`tenant ${ALL_TENANTS} (every tenant) is for admin and auditor tokens only`);
    tenant = ALL_TENANTS;
  } else {
    try {
      tenant = parseTenant(raw.tenant, where);
    } catch {
      problems.push(`tenant must be a tenant name or ${ALL_TENANTS}`);
    }
  }
  const expiresAt = raw.expiresAt ?? null;
  if (expiresAt !== null && (typeof expiresAt !== "string" || Number.isNaN(Date.parse(expiresAt))))
    problems.push("expiresAt must be an ISO 8601 time");
  if (problems.length > 0) throw new VigilError("INPUT_INVALID", `${where}: ${problems.join("; ")}`);
  return {
    name: name as string,
    role: raw.role as Role,
    tenant,
    expiresAt: expiresAt === null ? null : new Date(expiresAt as string).toISOString(),
  };
}

/** Creates a token; the returned secret is shown once and never stored. */
export async function createToken(
  deps: TokenDeps,
  req: TokenRequest,
): Promise<{ token: string; id: string; recordLeaf: number }> {
  const now = deps.clock.now();
  const id = `tok_${now.getTime().toString(36)}${randomBytes(5).toString("hex")}`;
  const secret = randomBytes(32).toString("base64url");
  const record: TokenCreatedRecord = {
    type: TOKEN_CREATED,
    v: 1,
    id,
    name: req.name,
    role: req.role as Role,
    tenant: req.tenant,
    secretHash: sha256(Buffer.from(secret)).toString("hex"),
    createdAt: now.toISOString(),
    expiresAt: req.expiresAt,
  };
  const { first } = await deps.log.append([{ encoded: encodeRecord(record), record }], deps.project);
  return { token: `${id}.${secret}`, id, recordLeaf: first };
}

export async function revokeToken(deps: TokenDeps, id: string, reason: string): Promise<number> {
  const t = await deps.tokens.getToken(id);
  if (t === null) throw new VigilError("NOT_FOUND", `no token ${id}`);
  if (t.revokedAt !== null)
    throw new VigilError("CONFLICT", `token ${id} was already revoked at ${t.revokedAt}`);
  const record: TokenRevokedRecord = {
    type: TOKEN_REVOKED,
    v: 1,
    id,
    reason,
    at: deps.clock.now().toISOString(),
  };
  const { first } = await deps.log.append([{ encoded: encodeRecord(record), record }], deps.project);
  return first;
}

/** Why a presented token was refused; the message never repeats the token. */
export type TokenRefusal = "missing" | "malformed" | "unknown" | "revoked" | "expired";

/**
 * Remembers which presented tokens already proved their secret against a
 * row (TokenCache), so a request with the same token needs no hash.
 */
export interface ProvenTokens {
  /** The row `presented` proved its secret against, while that row is still the current one; else null. */
  provenRow(presented: string): StoredToken | null;
  /** `presented` matched `row`'s secret hash. */
  prove(presented: string, row: StoredToken): void;
}

/**
 * Checks a bearer token: well-formed, known, the secret's hash equal in
 * constant time, not revoked, not expired. With `proven`, the format and
 * secret checks are done once per presented token and row; revocation,
 * expiry and role are checked on every call.
 */
export async function authenticate(
  tokens: TokenIndex,
  presented: string | undefined,
  now: Date,
  proven?: ProvenTokens,
): Promise<Principal | TokenRefusal> {
  if (presented === undefined || presented === "") return "missing";
  const t = proven?.provenRow(presented) ?? (await checkSecret(tokens, presented, proven));
  if (typeof t === "string") return t;
  if (t.revokedAt !== null) return "revoked";
  if (t.expiresAt !== null && Date.parse(t.expiresAt) <= now.getTime()) return "expired";
  if (!isRole(t.role)) return "unknown";
  return { tokenId: t.id, name: t.name, role: t.role, tenant: t.tenant };
}

async function checkSecret(
  tokens: TokenIndex,
  presented: string,
  proven: ProvenTokens | undefined,
): Promise<StoredToken | TokenRefusal> {
  const dot = presented.indexOf(".");
  const id = presented.slice(0, dot);
  const secret = presented.slice(dot + 1);
  if (dot < 0 || !ID.test(id) || !SECRET.test(secret)) return "malformed";
  const t = await tokens.getToken(id);
  if (t === null || !sameHash(t, secret)) return "unknown";
  proven?.prove(presented, t);
  return t;
}

function sameHash(t: StoredToken, secret: string): boolean {
  const h = sha256(Buffer.from(secret));
  return h.length === t.secretHash.length && timingSafeEqual(h, t.secretHash);
}
