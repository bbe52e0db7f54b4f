import { anchorContext } from "../app/anchor-views.js";
import { runDoctor } from "../app/doctor.js";
import { latestReport } from "../app/verify-reports.js";
import type { LockerPorts } from "../app/open-locker.js";
import { recentAnchors } from "./recent-anchors.js";
import { recentRecords } from "./recent-records.js";
import { storageStats } from "./storage-stats.js";
import { versions } from "./versions.js";

/** One file of the archive. */
export interface DiagnosticsFile {
  readonly name: string;
  readonly content: string;
}

export interface DiagnosticsAbout {
  readonly vigilVersion: string;
  /** The bundle's time: the manifest's createdAt and every archive entry's mtime. */
  readonly createdAt: Date;
}

export const RECENT_ANCHORS = 20;
export const RECENT_RECORDS = 200;
const DOCTOR_MAX_ANCHOR_AGE_S = 86_400;

/**
 * The support bundle's files. Only what is safe to hand to someone else:
 * states, counts, hashes, times, record types and artifact digests. Never
 * keys (the verifier key string, which is public, is the only key text),
 * tokens, contents, labels or other metadata values.
 */
export async function collectDiagnostics(
  v: LockerPorts,
  about: DiagnosticsAbout,
): Promise<DiagnosticsFile[]> {
  return [
    json("manifest.json", manifest(v, about.createdAt)),
    json("index-status.json", await v.maintenance.status()),
    json("storage-stats.json", await storageStats(v)),
    json("anchors.json", await recentAnchors(anchorContext(v), RECENT_ANCHORS)),
    json("last-verify-report.json", await latestReport(v)),
    jsonLines("recent-records.jsonl", await recentRecords(v.log, RECENT_RECORDS)),
    json("doctor.json", await runDoctor(v, DOCTOR_MAX_ANCHOR_AGE_S)),
    json("versions.json", versions(about.vigilVersion, v.paths.database)),
  ];
}

function manifest(v: LockerPorts, createdAt: Date) {
  return {
    format: "vigil.diagnostics",
    v: 1,
    createdAt: createdAt.toISOString(),
    lockerId: v.config.lockerId,
    origin: v.config.origin,
    verifierKey: v.verifierKey,
  };
}

function json(name: string, value: unknown): DiagnosticsFile {
  return { name, content: `${JSON.stringify(value, null, 2)}\n` };
}

function jsonLines(name: string, values: readonly unknown[]): DiagnosticsFile {
  return { name, content: values.map((x) => `${JSON.stringify(x)}\n`).join("") };
}
