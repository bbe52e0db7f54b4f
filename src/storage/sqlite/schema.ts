import { VigilError } from "../../errors.js";
import type { SqliteDatabase } from "./driver.js";

/** Bumped whenever the schema changes; a newer database is refused, never downgraded. */
export const SCHEMA_VERSION = 3;

const SCHEMA_V1 = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- The journal: records are never updated or deleted.
CREATE TABLE entries (idx INTEGER PRIMARY KEY, leaf_hash BLOB NOT NULL, body BLOB NOT NULL);
-- Perfect-subtree hashes for levels >= 1; id = level * 2^47 + index.
CREATE TABLE nodes (id INTEGER PRIMARY KEY, hash BLOB NOT NULL);
CREATE TABLE checkpoints (seq INTEGER PRIMARY KEY, size INTEGER NOT NULL, root BLOB NOT NULL,
  note TEXT NOT NULL, created_at TEXT NOT NULL);
-- Contents: inline bytes for small artifacts, NULL data for files in the blob directory.
-- id is the leaf index of the record that committed to the contents, so rows land in
-- append order; lookups by digest go through the evidence index's digest key (one
-- random-key index per artifact, not two: random inserts are what fill the WAL).
CREATE TABLE blobs (id INTEGER PRIMARY KEY, digest BLOB NOT NULL, size INTEGER NOT NULL, data BLOB);
-- Projection of the journal (rebuildable): the evidence index, keyed by leaf index.
-- It holds what queries filter on; the full metadata is the journal record itself.
-- dkey = the digest's first 48 bits (see digestKey).
CREATE TABLE evidence (leaf_idx INTEGER PRIMARY KEY, digest BLOB NOT NULL, dkey INTEGER NOT NULL, domain TEXT NOT NULL,
  subdomain TEXT NOT NULL, kind TEXT NOT NULL, date TEXT NOT NULL, size INTEGER NOT NULL,
  retention TEXT NOT NULL, meta_hash BLOB NOT NULL);
`;

/**
 * v2: evidence lifecycle. Checkpoints carry their chain segment (a new
 * segment starts after an unrecoverable break); holds and artifact states
 * (expired, corrupted) are projections of journal records, keyed by the leaf
 * index of the artifact's evidence.added record.
 */
const SCHEMA_V2 = `
ALTER TABLE checkpoints ADD COLUMN segment INTEGER NOT NULL DEFAULT 1;
CREATE TABLE holds (evidence_leaf INTEGER PRIMARY KEY, reason TEXT NOT NULL, at TEXT NOT NULL,
  record_leaf INTEGER NOT NULL);
CREATE TABLE evidence_state (evidence_leaf INTEGER PRIMARY KEY, state TEXT NOT NULL, reason TEXT NOT NULL,
  at TEXT NOT NULL, record_leaf INTEGER NOT NULL);
`;

/**
 * v3: tenants and API tokens. Evidence rows carry their tenant (records
 * written before tenants belong to "default"); the digest is unique per
 * tenant, not across tenants. Tokens are a projection of token.created /
 * token.revoked records: only the SHA-256 of a token's secret is kept.
 */
const SCHEMA_V3 = `
ALTER TABLE evidence ADD COLUMN tenant TEXT NOT NULL DEFAULT 'default';
CREATE TABLE tokens (id TEXT PRIMARY KEY, secret_hash BLOB NOT NULL, name TEXT NOT NULL, role TEXT NOT NULL,
  tenant TEXT NOT NULL, created_at TEXT NOT NULL, expires_at TEXT, revoked_at TEXT, record_leaf INTEGER NOT NULL)
  WITHOUT ROWID;
`;

/** Migrations by the version they produce; each runs once, in order, in one transaction. */
const MIGRATIONS: readonly (readonly [number, string])[] = [
  [1, SCHEMA_V1],
  [2, SCHEMA_V2],
  [3, SCHEMA_V3],
];

/** Tables that are projections of the journal: emptied and refilled by index rebuild. */
export const PROJECTION_TABLES = ["evidence", "holds", "evidence_state", "tokens"] as const;

/**
 * The projection's secondary indexes, kept apart so a rebuild can drop them,
 * replay into bare tables and build them once, sorted (far cheaper than
 * random inserts into a growing b-tree).
 */
export const PROJECTION_INDEXES = `
CREATE INDEX IF NOT EXISTS evidence_by_dkey ON evidence (dkey);
CREATE INDEX IF NOT EXISTS evidence_by_domain ON evidence (domain, date);
CREATE INDEX IF NOT EXISTS evidence_by_kind ON evidence (kind, date);
`;

export const DROP_PROJECTION_INDEXES = `
DROP INDEX IF EXISTS evidence_by_dkey;
DROP INDEX IF EXISTS evidence_by_domain;
DROP INDEX IF EXISTS evidence_by_kind;
`;

export function migrate(db: SqliteDatabase): void {
  const version = db.pragma("user_version", { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new VigilError(
      "STORAGE_UNAVAILABLE",
      `database schema version ${version} is newer than this vigil (${SCHEMA_VERSION}); upgrade vigil`,
    );
  }
  if (version === SCHEMA_VERSION) return;
  db.transaction(() => {
    for (const [to, sql] of MIGRATIONS) if (to > version) db.exec(sql);
    db.exec(PROJECTION_INDEXES);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

export { NODE_LEVEL_STRIDE, nodeKey } from "../node-key.js";

/**
 * The evidence index finds a digest through dkey, its first 48 bits as an
 * integer: an integer index is ~40 % cheaper to insert into than one on the
 * 32-byte digest, and every lookup also compares the full digest.
 * Uniqueness of digests is kept by ingest, which classifies before writing.
 */
export function digestKey(digest: Buffer): number {
  return digest.readUIntBE(0, 6);
}
