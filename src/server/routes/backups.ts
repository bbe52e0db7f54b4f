import type { FastifyRequest } from "fastify";
import { ALL_TENANTS } from "../../domains/access/roles.js";
import { listBackups, type BackupSummary } from "../../lifecycle/backup-catalog.js";
import { requireEmbedded } from "../../app/open-locker.js";
import { createBackup } from "../../lifecycle/backup-create.js";
import { principalOf, receipt, type ServerContext } from "../context.js";
import { oneAtATime } from "../one-at-a-time.js";
import { toProblem } from "../problem.js";
import type { RouteSpec } from "../route.js";
import { NO_BODY } from "./schemas.js";

/**
 * A backup as the API shows it: never its directory (a server path); the
 * file and byte counts, which add up every tenant's contents, only to
 * every-tenant tokens.
 */
function backupView(req: FastifyRequest, b: BackupSummary) {
  const base = { id: b.id, createdAt: b.createdAt, anchor: b.anchor, journalSize: b.journalSize };
  if (principalOf(req).tenant !== ALL_TENANTS) return base;
  return { ...base, files: b.files, bytes: b.bytes, includesSigningKey: b.includesSigningKey };
}

/** POST /v1/backups: `vigil backup create` into <data>/backups/<id>, without the signing key. */
async function create(req: FastifyRequest, ctx: ServerContext) {
  return oneAtATime(ctx, "backup", async () => {
    try {
      const { manifest: m } = await createBackup(requireEmbedded(ctx.vigil, "an online backup"));
      await receipt(ctx, req, "backup.create", `backup ${m.id}`, "allowed", 201);
      return {
        id: m.id,
        createdAt: m.createdAt,
        anchor: m.anchor,
        journalSize: m.journalSize,
        files: m.files.length,
      };
    } catch (e) {
      await receipt(ctx, req, "backup.create", "backup", "failed", toProblem(e).problem.status);
      throw e;
    }
  });
}

export const BACKUP_ROUTES: readonly RouteSpec[] = [
  {
    method: "GET",
    url: "/v1/backups",
    summary: "complete backups in the locker's backup directory, oldest first",
    action: "backup.read",
    access: false,
    schema: { responses: { 200: { description: "backups" } } },
    async handler(req, _reply, ctx) {
      const l = listBackups(ctx.vigil.paths.backups);
      return { v: 1, backups: l.backups.map((b) => backupView(req, b)), incomplete: l.incomplete.length };
    },
  },
  {
    method: "POST",
    url: "/v1/backups",
    summary: "make a consistent online backup now (writes continue); admin only",
    action: "backup.create",
    access: true,
    schema: {
      body: NO_BODY,
      responses: { 201: { description: "the backup" }, 409: { description: "a backup is already running" } },
    },
    async handler(req, reply, ctx) {
      const out = await create(req, ctx);
      reply.code(201);
      return out;
    },
  },
];
