/**
 * How a twin's answers line up with the local locker's (remote-twin.ts). The
 * twin's journal is the local one with the server's own records in between
 * (its token, server runs, access receipts), so the two agree record for
 * record once those are set aside; that gives each local tree size the twin
 * size ending at the same record, and back. Anything a journal's exact bytes
 * or a locker's own key decide (roots, proofs, notes, locker ids) differs by
 * construction and is set aside; sizes are compared once mapped.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import Database from "better-sqlite3";

/** Records only a server writes: never in a locker that no server ran on. */
const SERVER_TYPES = new Set(["token.created", "token.revoked", "server.started", "server.stopped", "access.receipt", "access.receipts"]); // prettier-ignore

export interface Alignment {
  /** The twin's size for a local tree size (beyond the journal: as far beyond the twin's). */
  toTwin(localSize: number): number;
  /** The local size for a twin tree size: the local tree holding the same evidence records. */
  toLocal(twinSize: number): number;
  /** The twin's leaf holding the same record as local leaf `i` (one no server wrote). */
  leaf(i: number): number;
  /**
   * The twin's artifact of the same record as local artifact `id`: itself,
   * but for verification reports, whose bytes name their locker and timings.
   */
  artifact(id: string): string;
}

export const IDENTITY: Alignment = {
  toTwin: (n) => n,
  toLocal: (n) => n,
  leaf: (i) => i,
  artifact: (id) => id,
};

function read<T>(dir: string, fn: (db: Database.Database) => T): T {
  const db = new Database(join(dir, "vigil.db"), { readonly: true, fileMustExist: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

interface Entry {
  readonly type: string;
  readonly digest?: string;
}

function entries(dir: string): Entry[] {
  const bodies = read(dir, (db) => db.prepare("SELECT body FROM entries ORDER BY idx").pluck().all() as Buffer[]); // prettier-ignore
  return bodies.map((b) => JSON.parse(b.toString("utf8")) as Entry);
}

/** The seq of the anchor whose signed note this is, in the locker at `dir`; null if none is. */
export function anchorSeqOf(dir: string, note: string): number | null {
  return read(dir, (db) => (db.prepare("SELECT seq FROM checkpoints WHERE note = ?").pluck().get(note) as number | undefined) ?? null); // prettier-ignore
}

export function anchorNoteOf(dir: string, seq: number): string | undefined {
  return read(dir, (db) => db.prepare("SELECT note FROM checkpoints WHERE seq = ?").pluck().get(seq) as string | undefined); // prettier-ignore
}

/** Positions (0-based) of the records that are not a server's own. */
function core(t: readonly Entry[]): number[] {
  return t.flatMap((e, i) => (SERVER_TYPES.has(e.type) ? [] : [i]));
}

/**
 * The alignment of a locker and its twin, checked: both journals hold the
 * same records, in order (`localAhead`: the twin's may still lack the ones
 * the command just run locally wrote).
 */
export function align(local: string, twin: string, localAhead = false): Alignment {
  const [lt, tt] = [entries(local), entries(twin)];
  const [lc, tc] = [core(lt), core(tt)];
  assert.deepEqual(
    tc.map((i) => tt[i]?.type),
    (localAhead ? lc.slice(0, tc.length) : lc).map((i) => lt[i]?.type),
    "the twin's journal, the server's own records set aside, is the local one",
  );
  const count = (c: readonly number[], size: number) => c.filter((i) => i < size).length;
  const leaf = (i: number) => tc[count(lc, i + 1) - 1] ?? assert.fail(`no twin leaf for local leaf ${i}`);
  return {
    toTwin: (m) =>
      m > lt.length ? tt.length + (m - lt.length) : m === 0 ? 0 : (tc[count(lc, m) - 1] ?? -1) + 1,
    toLocal: (s) =>
      s > tt.length ? lt.length + (s - tt.length) : s === 0 ? 0 : (lc[count(tc, s) - 1] ?? -1) + 1,
    leaf,
    artifact(id) {
      const i = lt.findIndex((e) => e.type === "evidence.added" && e.digest === id);
      return i < 0 ? id : (tt[leaf(i)]?.digest ?? id);
    },
  };
}
