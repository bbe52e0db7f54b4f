import type { Command } from "commander";
import { projectAll } from "../../app/projection.js";
import { createToken, parseTokenRequest, revokeToken } from "../../domains/access/tokens.js";
import { VigilError } from "../../errors.js";
import { withLocker } from "../context.js";
import { table } from "../output.js";
import { parseDuration } from "../parse-args.js";
import { programOptions } from "../program-options.js";

interface CreateFlags {
  role: string;
  tenant?: string;
  name: string;
  expires?: string;
}

export function registerTokenCommands(program: Command): void {
  const tk = program
    .command("token")
    .description("API tokens for the server: create (shown once), list, revoke");
  tk.command("create")
    .description("create a token; its secret is printed once and stored only as a hash")
    .requiredOption("--role <role>", "admin, operator, auditor, producer or viewer")
    .requiredOption("--name <name>", "who or what holds it")
    .option(
      "--tenant <tenant>",
      "the tenant it acts in (* = every tenant: admin and auditor only)",
      "default",
    )
    .option("--expires <duration>", "valid for this long, e.g. 90d or 12h (default: no expiry)")
    .action(async (f: CreateFlags, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const expiresAt =
          f.expires === undefined
            ? null
            : new Date(v.clock.now().getTime() + parseDuration(f.expires) * 1000).toISOString();
        const req = parseTokenRequest(
          // Commander gives a --tenant after `token create` to the program's option of that name.
          {
            name: f.name,
            role: f.role,
            tenant: programOptions<CreateFlags>(cmd).tenant ?? f.tenant,
            expiresAt,
          },
          "token create",
        );
        const deps = { log: v.log, tokens: v.tokens, clock: v.clock, project: projectAll };
        const t = await createToken(deps, req);
        out.result(
          { ...t, ...req },
          () => `${t.token}\n(token ${t.id}: ${req.role} in tenant ${req.tenant}; shown once, keep it safe)`,
        );
      }),
    );
  tk.command("list")
    .description("every token (never their secrets)")
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const rows = (await v.tokens.listTokens()).map(({ secretHash: _s, ...t }) => t);
        out.result(rows, () =>
          rows.length === 0
            ? "no tokens"
            : table([
                ["ID", "NAME", "ROLE", "TENANT", "CREATED", "EXPIRES", "REVOKED"],
                ...rows.map((t) => [
                  t.id,
                  t.name,
                  t.role,
                  t.tenant,
                  t.createdAt,
                  t.expiresAt ?? "-",
                  t.revokedAt ?? "-",
                ]),
              ]),
        );
      }),
    );
  tk.command("revoke <id>")
    .description("revoke a token at once (a journal record)")
    .requiredOption("--reason <text>", "why (recorded in the journal)")
    .action(async (id: string, f: { reason: string }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        if (f.reason.trim() === "" || f.reason.length > 500)
          throw new VigilError("INPUT_INVALID", "--reason: one line of at most 500 characters");
        const leaf = await revokeToken(
          { log: v.log, tokens: v.tokens, clock: v.clock, project: projectAll },
          id,
          f.reason,
        );
        out.result(
          { id, revoked: true, recordLeaf: leaf },
          () => `token ${id} revoked (journal leaf ${leaf})`,
        );
      }),
    );
}
