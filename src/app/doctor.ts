import { constants, statfsSync, statSync, accessSync } from "node:fs";
import type { LockerPorts } from "./open-locker.js";

export interface DoctorCheck {
  readonly name: string;
  readonly status: "ok" | "warn" | "fail";
  readonly detail: string;
}

const MIN_FREE_BYTES = 1 << 30;

/** The runbook's `doctor`: is the locker usable and is its evidence fresh? (Either backend.) */
export async function runDoctor(v: LockerPorts, maxAnchorAgeSeconds: number): Promise<DoctorCheck[]> {
  return [await storage(v), await index(v), await anchor(v, maxAnchorAgeSeconds), key(v), disk(v)];
}

async function storage(v: LockerPorts): Promise<DoctorCheck> {
  const problems = await v.maintenance.quickCheck();
  try {
    accessSync(v.paths.blobs, constants.W_OK | constants.R_OK);
  } catch {
    problems.push(`blob directory ${v.paths.blobs} is not readable and writable`);
  }
  return problems.length === 0
    ? { name: "storage", status: "ok", detail: "database quick check ok, blob store writable" }
    : { name: "storage", status: "fail", detail: problems.join("; ") };
}

async function index(v: LockerPorts): Promise<DoctorCheck> {
  const s = await v.maintenance.status();
  return s.lag === 0
    ? { name: "index", status: "ok", detail: `in step with the journal (${s.journalSize} entries)` }
    : {
        name: "index",
        status: "fail",
        detail: `${s.lag} entries behind the journal (run: vigil index rebuild)`,
      };
}

async function anchor(v: LockerPorts, maxAge: number): Promise<DoctorCheck> {
  const a = await v.log.latestCheckpoint();
  const size = await v.log.size();
  if (a === null)
    return {
      name: "anchor",
      status: size === 0 ? "ok" : "warn",
      detail: size === 0 ? "no entries, nothing to anchor" : "no anchor yet (run: vigil anchor create)",
    };
  const age = Math.round((v.clock.now().getTime() - Date.parse(a.createdAt)) / 1000);
  const behind = size - a.size;
  const stale = age > maxAge && behind > 0;
  return {
    name: "anchor",
    status: stale ? "warn" : "ok",
    detail: `#${a.seq} is ${age} s old, ${behind} entries since`,
  };
}

function key(v: LockerPorts): DoctorCheck {
  if (v.config.replicaOf !== undefined) {
    return {
      name: "key",
      status: "ok",
      detail: `read-only replica of ${v.config.replicaOf.origin}: no signing key, checkpoints checked with ${v.config.replicaOf.verifierKey}`,
    };
  }
  const mode = statSync(v.paths.signingKey).mode & 0o777;
  return mode & 0o077
    ? { name: "key", status: "fail", detail: `signing key mode ${mode.toString(8)} is readable by others` }
    : { name: "key", status: "ok", detail: `present, mode ${mode.toString(8)}, ${v.verifierKey}` };
}

function disk(v: LockerPorts): DoctorCheck {
  const s = statfsSync(v.paths.dataDir);
  const free = s.bavail * s.bsize;
  return free < MIN_FREE_BYTES
    ? { name: "disk", status: "warn", detail: `${(free / 2 ** 20).toFixed(0)} MiB free` }
    : { name: "disk", status: "ok", detail: `${(free / 2 ** 30).toFixed(1)} GiB free` };
}
