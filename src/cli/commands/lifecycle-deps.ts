import { projectAll } from "../../app/projection.js";
import type { LockerPorts } from "../../app/open-locker.js";
import type { LifecycleDeps } from "../../domains/evidence/lifecycle.js";

export function lifecycleDeps(v: LockerPorts): LifecycleDeps {
  return { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
}
