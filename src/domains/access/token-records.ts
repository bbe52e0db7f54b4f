import type { JournalRecord } from "../../journal/index.js";
import type { IndexOp } from "../../storage/index-ops.js";
import type { Role } from "./roles.js";

export const TOKEN_CREATED = "token.created";
export const TOKEN_REVOKED = "token.revoked";

/**
 * token.created v1. The token's secret never enters the journal: only its
 * SHA-256 (a 256-bit random secret cannot be recovered from it), so the
 * token table stays a projection that `index rebuild` can replay.
 */
export interface TokenCreatedRecord extends JournalRecord {
  readonly type: typeof TOKEN_CREATED;
  readonly v: 1;
  readonly id: string;
  readonly name: string;
  readonly role: Role;
  readonly tenant: string;
  readonly secretHash: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
}

export interface TokenRevokedRecord extends JournalRecord {
  readonly type: typeof TOKEN_REVOKED;
  readonly v: 1;
  readonly id: string;
  readonly reason: string;
  readonly at: string;
}

function isCreated(r: JournalRecord): r is TokenCreatedRecord {
  return r.type === TOKEN_CREATED && r.v === 1 && typeof r.id === "string";
}

function isRevoked(r: JournalRecord): r is TokenRevokedRecord {
  return r.type === TOKEN_REVOKED && r.v === 1 && typeof r.id === "string";
}

/** The token projection: pure, replayed by index rebuild like every other. */
export function projectTokens(record: JournalRecord, index: number): readonly IndexOp[] {
  if (isCreated(record)) {
    return [
      {
        op: "token.put",
        token: {
          id: record.id,
          secretHash: Buffer.from(record.secretHash, "hex"),
          name: record.name,
          role: record.role,
          tenant: record.tenant,
          createdAt: record.createdAt,
          expiresAt: record.expiresAt,
          recordLeaf: index,
        },
      },
    ];
  }
  if (isRevoked(record)) return [{ op: "token.revoke", id: record.id, at: record.at }];
  return [];
}
