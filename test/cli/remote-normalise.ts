/**
 * One command's stdout with what differs between a locker and its twin by
 * construction set aside (remote-align.ts): leaf numbers, times, hashes,
 * locker ids and timings are replaced by placeholders; tree sizes are
 * mapped to the local locker's, so they are still compared.
 */
import { IDENTITY, type Alignment } from "./remote-align.js";

/** Tree sizes, as a journal position or a count of entries ("size" only of an anchor: one with a seq). */
const SIZE_KEYS = new Set(["treeSize", "size1", "size2", "journalSize", "position", "entries"]);

/** Values that the journal's exact bytes, the locker's key or the clock decide. */
const SET_ASIDE = new Set([
  "leafIndex",
  "recordLeaf",
  "root",
  "root1",
  "root2",
  "leafHash",
  "proof",
  "link",
  "note",
  "lockerId",
  "origin",
  "reportId",
  "seconds",
  "sha256",
  "unanchored",
  "nodes",
  "storedNodes",
  "database",
]);

function walk(v: unknown, a: Alignment, key: string, parent: Record<string, unknown> | null): unknown {
  if (SET_ASIDE.has(key) && v !== null) return "SET-ASIDE";
  if (typeof v === "number" && (SIZE_KEYS.has(key) || (key === "size" && parent?.seq !== undefined)))
    return a.toLocal(v);
  // A full run's leaves are the journal's; a quick run's, the sample, drawn from the journal by the seed.
  if (typeof v === "number" && key === "leaves" && parent?.full === true) return a.toLocal(v);
  if (["artifacts", "bytes", "expired"].includes(key) && parent?.quick === true) return "SAMPLED";
  // A full run's bytes add up every artifact's, earlier stored reports' among them.
  if (key === "bytes" && parent?.inReport === true) return "WITH-REPORTS";
  if (Array.isArray(v)) return v.map((x) => walk(x, a, "", null));
  if (typeof v !== "object" || v === null) return v;
  const o = v as Record<string, unknown>;
  // A report's bytes name its locker and timings: as an artifact, its id and size differ by construction.
  if (o.kind === "verification-report" || o.format === "vigil.verify-report")
    for (const k of ["id", "digest", "size"]) if (k in o) o[k] = "REPORT";
  const ctx = {
    ...o,
    full: parent?.full === true || o.mode === "full",
    quick: key === "counts" && parent?.mode === "quick",
    inReport: key === "counts" && parent?.format === "vigil.verify-report",
  };
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, a, k, ctx)]));
}

/** JSON (one document or one per line) as its parsed values, else null. */
function parseJson(s: string): unknown[] | null {
  try {
    return [JSON.parse(s) as unknown];
  } catch {
    try {
      const lines = s.split("\n").filter((l) => l !== "");
      return lines.length === 0 ? null : lines.map((l) => JSON.parse(l) as unknown);
    } catch {
      return null;
    }
  }
}

const mapNumber = (a: Alignment) => (_m: string, pre: string, n: string) => `${pre}${a.toLocal(Number(n))}`;

function text(s: string, a: Alignment): string {
  const full = /full verification/.test(s);
  return s
    .replace(/\d+ entries since/g, "N entries since")
    .replace(/\b(size |tree |index at |consistency |-> )(\d+)/g, mapNumber(a))
    .replace(/(\b)(\d+)(?= (?:journal )?entries\b)/g, mapNumber(a))
    .replace(/\b(leaves )(\d+)/g, full ? mapNumber(a) : (m) => m)
    .replace(/\bnodes \d+/g, "nodes N")
    .replace(/\bnode \d+\/\d+/g, "node L/I")
    .replace(/[A-Za-z0-9+/]{43}=/g, "HASH")
    .replace(/^(database +).*$/gm, "$1SET-ASIDE")
    .replace(/stored as sha256:[0-9a-f]{64}/g, "stored as REPORT")
    .replace(/ in \d+\.\d+ s\b/g, " in S s");
}

/** Leaf numbers and times differ between the twins by construction; so do roots, keys and timings. */
export function normalise(s: string, a: Alignment = IDENTITY): string {
  const docs = parseJson(s);
  const mapped =
    docs === null ? text(s, a) : docs.map((d) => JSON.stringify(walk(d, a, "", null), null, 2)).join("\n");
  return mapped
    .replace(/\bleaf \d+/g, "leaf N")
    .replace(/^((?:sha256:)?[0-9a-f]{12,19}) +\d+ /gm, "$1 N ")
    .replace(/^(leafIndex +)\d+$/gm, "$1N")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "TIME")
    .replace(/vigil\.local\/lck_[0-9a-f]+|lck_[0-9a-f]+/g, "LOCKER")
    .replace(/ {2,}/g, "  ");
}
