import { projectAll } from "../../app/projection.js";
import type { Vigil } from "../../app/vigil.js";
import type { LifecycleDeps } from "../../domains/evidence/lifecycle.js";

export function lifecycleDeps(v: Vigil): LifecycleDeps {
  return { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
}
