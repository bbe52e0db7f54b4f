import { VigilError } from "../../errors.js";
import type { PgQueryable } from "./driver.js";

/** Bumped whenever the schema changes; a newer database is refused, never downgraded. */
export const PG_SCHEMA_VERSION = 2;

/**
 * Advisory lock keys (per database): schema migration, the log's single
 * append sequence, and `vigil migrate` copying a locker in (held for the run).
 */
export const MIGRATION_LOCK = 0x5647_4d01;
export const APPEND_LOCK = 0x5647_4c01;
export const COPY_IN_LOCK = 0x5647_4d02;
/** Committing staged contents (shared) against removing leftovers (exclusive): a run is never half removed under a commit. */
export const LEFTOVERS_LOCK = 0x5647_4d03;

/**
 * The same tables as the SQLite adapter (entries, nodes at level·2^47+index,
 * checkpoints with segment, blobs keyed by leaf index, the projections),
 * plus large contents as chunk rows: blob_chunks holds a staging run's
 * chunks, blob_files names the run that holds a digest's contents once
 * committed. Evidence rows are keyed by (digest, tenant): digest first so a
 * lookup by digest alone (the blob store) uses the same index. Text is
 * COLLATE "C": comparisons and orderings are bytewise, as in SQLite.
 */
const SCHEMA_V1 = `
CREATE TABLE entries (idx int8 PRIMARY KEY, leaf_hash bytea NOT NULL, body bytea NOT NULL);
CREATE TABLE nodes (id int8 PRIMARY KEY, hash bytea NOT NULL);
CREATE TABLE checkpoints (seq int8 PRIMARY KEY, size int8 NOT NULL, root bytea NOT NULL, note text COLLATE "C" NOT NULL,
  created_at text COLLATE "C" NOT NULL, segment int8 NOT NULL);
CREATE TABLE blobs (id int8 PRIMARY KEY, digest bytea NOT NULL, size int8 NOT NULL, data bytea);
CREATE SEQUENCE blob_stage_seq;
CREATE TABLE blob_chunks (stage int8 NOT NULL, seq int4 NOT NULL, data bytea NOT NULL, PRIMARY KEY (stage, seq));
CREATE TABLE blob_files (digest bytea PRIMARY KEY, size int8 NOT NULL, stage int8 NOT NULL UNIQUE);
CREATE TABLE evidence (digest bytea NOT NULL, tenant text COLLATE "C" NOT NULL, leaf_idx int8 NOT NULL UNIQUE,
  domain text COLLATE "C" NOT NULL, subdomain text COLLATE "C" NOT NULL, kind text COLLATE "C" NOT NULL, date text COLLATE "C" NOT NULL, size int8 NOT NULL,
  retention text COLLATE "C" NOT NULL, meta_hash bytea NOT NULL, PRIMARY KEY (digest, tenant));
CREATE INDEX evidence_by_domain ON evidence (domain, date);
CREATE INDEX evidence_by_kind ON evidence (kind, date);
CREATE TABLE holds (evidence_leaf int8 PRIMARY KEY, reason text COLLATE "C" NOT NULL, at text COLLATE "C" NOT NULL,
  record_leaf int8 NOT NULL);
CREATE TABLE evidence_state (evidence_leaf int8 PRIMARY KEY, state text COLLATE "C" NOT NULL, reason text COLLATE "C" NOT NULL,
  at text COLLATE "C" NOT NULL, record_leaf int8 NOT NULL);
CREATE TABLE tokens (id text COLLATE "C" PRIMARY KEY, secret_hash bytea NOT NULL, name text COLLATE "C" NOT NULL, role text COLLATE "C" NOT NULL,
  tenant text COLLATE "C" NOT NULL, created_at text COLLATE "C" NOT NULL, expires_at text COLLATE "C", revoked_at text COLLATE "C", record_leaf int8 NOT NULL);
`;

/**
 * When each chunk was staged and each run committed, so that removing the
 * leftovers of interrupted writes (`cleanup --temp-only`) can spare what is
 * still being written. Rows from before the migration count as written then
 * (a constant default: no table rewrite).
 */
const SCHEMA_V2 = `
ALTER TABLE blob_chunks ADD COLUMN staged_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE blob_files ADD COLUMN committed_at timestamptz NOT NULL DEFAULT now();
`;

/** Migrations by the version they produce; each runs once, in order, in the migrating transaction. */
const MIGRATIONS: readonly (readonly [number, string])[] = [
  [1, SCHEMA_V1],
  [2, SCHEMA_V2],
];

/** Tables that are projections of the journal: emptied and refilled by index rebuild. */
export const PROJECTION_TABLES = ["evidence", "holds", "evidence_state", "tokens"] as const;

/** Every table holding a locker's data (all but meta): what an abandoned `vigil migrate` empties again. */
export const DATA_TABLES = [
  "entries",
  "nodes",
  "checkpoints",
  "blobs",
  "blob_chunks",
  "blob_files",
  ...PROJECTION_TABLES,
] as const;

/**
 * Brings the schema up to date in one transaction under an advisory lock, so
 * two processes starting at once migrate once: the second waits, then finds
 * the current version. A database newer than this code is refused.
 */
export async function migratePg(client: PgQueryable): Promise<void> {
  await client.query("BEGIN");
  try {
    await client.query(`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`);
    await client.query("CREATE TABLE IF NOT EXISTS meta (key text PRIMARY KEY, value text NOT NULL)");
    const version = await schemaVersion(client);
    if (version > PG_SCHEMA_VERSION)
      throw new VigilError(
        "STORAGE_UNAVAILABLE",
        `database schema version ${version} is newer than this vigil (${PG_SCHEMA_VERSION}); upgrade vigil`,
      );
    for (const [to, sql] of MIGRATIONS) if (to > version) await client.query(sql);
    await client.query(
      "INSERT INTO meta (key, value) VALUES ('schema_version', $1) ON CONFLICT (key) DO UPDATE SET value = $1",
      [String(PG_SCHEMA_VERSION)],
    );
    await client.query("COMMIT");
  } catch (e) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

async function schemaVersion(client: PgQueryable): Promise<number> {
  const { rows } = await client.query("SELECT value FROM meta WHERE key = 'schema_version'");
  const v = rows[0]?.value;
  if (v === undefined) return 0;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new VigilError("STORAGE_CORRUPT", "meta.schema_version is not a version number");
  return n;
}
