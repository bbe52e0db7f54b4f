import type { RouteSpec } from "../route.js";
import { ANCHOR_ROUTES } from "./anchors.js";
import { BACKUP_ROUTES } from "./backups.js";
import { AUDIT_ROUTES } from "./audit.js";
import { EVIDENCE_ROUTES } from "./evidence.js";
import { openApiRoute } from "./openapi-route.js";
import { OPS_ROUTES } from "./ops.js";
import { PACK_ROUTES } from "./packs.js";
import { PROOF_ROUTES } from "./proofs.js";
import { STATUS_ROUTES } from "./status.js";
import { VERIFY_ROUTES } from "./verify.js";
import { TLOG_ROUTES } from "./tlog.js";

/** Every route the server registers: the one table (see RouteSpec). */
export const ROUTES: readonly RouteSpec[] = [
  ...OPS_ROUTES,
  ...EVIDENCE_ROUTES,
  ...ANCHOR_ROUTES,
  ...PROOF_ROUTES,
  ...VERIFY_ROUTES,
  ...STATUS_ROUTES,
  ...TLOG_ROUTES,
  ...PACK_ROUTES,
  ...BACKUP_ROUTES,
  ...AUDIT_ROUTES,
  openApiRoute(() => ROUTES),
];
