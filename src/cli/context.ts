import type { Command } from "commander";
import { openLocker, requireEmbedded, type Locker } from "../app/open-locker.js";
import type { Vigil } from "../app/vigil.js";
import { createOutput, type Output } from "./output.js";
import { DEFAULT_TENANT, parseTenant } from "../domains/evidence/metadata.js";
import { openClient } from "../client/open-client.js";
import type { VigilClient } from "../client/vigil-client.js";
import { programOptions } from "./program-options.js";
import { remoteOf } from "./remote.js";

export interface GlobalOptions {
  readonly data: string;
  readonly json: boolean;
  /** The tenant evidence commands read and write (checked when read: `token create --tenant '*'` is not one). */
  readonly tenant: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = programOptions<{ data?: string; json?: boolean; tenant?: string }>(cmd);
  const tenant = o.tenant ?? process.env.VIGIL_TENANT ?? DEFAULT_TENANT;
  return {
    data: o.data ?? process.env.VIGIL_DATA ?? "./vigil-data",
    json: o.json === true,
    get tenant() {
      return parseTenant(tenant, "--tenant");
    },
  };
}

export function outputFor(cmd: Command): Output {
  return createOutput(globalOptions(cmd).json);
}

/**
 * Opens the locker for a command that needs its embedded SQLite side (online
 * backups, point-in-time restore) and always closes it; on PostgreSQL the
 * command refuses (UNSUPPORTED) and points to the database's own tools.
 */
export async function withVigil<T>(
  cmd: Command,
  fn: (v: Vigil, out: Output, g: GlobalOptions) => Promise<T>,
): Promise<T> {
  return withLocker(cmd, (l, out, g) => fn(requireEmbedded(l, `vigil ${commandPath(cmd)}`), out, g));
}

/** "backup create", "restore": the command's names below the program's. */
function commandPath(cmd: Command): string {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent != null; c = c.parent) names.unshift(c.name());
  return names.join(" ");
}

/**
 * Opens the command's locker for one command, here or on the server of
 * --server (remote-capable commands only: see remote.ts), and always closes it.
 */
export async function withClient<T>(
  cmd: Command,
  fn: (c: VigilClient, out: Output, g: GlobalOptions) => Promise<T>,
): Promise<T> {
  const g = globalOptions(cmd);
  const remote = remoteOf(cmd);
  const target =
    remote === null
      ? { kind: "local" as const, data: g.data, tenant: g.tenant, databaseUrl: databaseUrlFromEnv() }
      : { kind: "remote" as const, remote };
  const c = await openClient(target, process.stdin);
  try {
    return await fn(c, createOutput(g.json), g);
  } finally {
    await c.close();
  }
}

/**
 * Opens the locker on whichever backend holds its journal (VIGIL_DATABASE_URL
 * gives a PostgreSQL locker's credentials) for a command that needs only the
 * ports, and always closes it.
 */
export async function withLocker<T>(
  cmd: Command,
  fn: (l: Locker, out: Output, g: GlobalOptions) => Promise<T>,
): Promise<T> {
  const g = globalOptions(cmd);
  const l = await openLocker(g.data, { databaseUrl: databaseUrlFromEnv() });
  try {
    return await fn(l, createOutput(g.json), g);
  } finally {
    await l.close();
  }
}

/** VIGIL_DATABASE_URL, when set and not empty. */
export function databaseUrlFromEnv(): string | undefined {
  const url = process.env.VIGIL_DATABASE_URL;
  return url === undefined || url === "" ? undefined : url;
}

/** Set by a command whose outcome is not success but also not an error (e.g. exists -> 3). */
export function setExitCode(code: number): void {
  process.exitCode = code;
}
