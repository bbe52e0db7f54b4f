import type { Command } from "commander";
import type { Remote } from "../client/http-call.js";
import { parseTenant } from "../domains/evidence/metadata.js";
import { VigilError } from "../errors.js";
import { programOptions } from "./program-options.js";

/** Commands that work against a server too; every other command refuses --server. */
const REMOTE_CAPABLE = new WeakSet<Command>();

export function remoteCapable(cmd: Command): Command {
  REMOTE_CAPABLE.add(cmd);
  return cmd;
}

/** --server URL or VIGIL_SERVER, with VIGIL_TOKEN; null when the command works on a local locker. */
export function remoteOf(cmd: Command): Remote | null {
  const o = programOptions<{ server?: string; tenant?: string }>(cmd);
  const server = o.server ?? process.env.VIGIL_SERVER;
  if (server === undefined || server === "") return null;
  const tenant = o.tenant ?? process.env.VIGIL_TENANT;
  return {
    base: parseServerUrl(server),
    token: process.env.VIGIL_TOKEN === "" ? undefined : process.env.VIGIL_TOKEN,
    tenant: tenant === undefined ? undefined : parseTenant(tenant, "--tenant"),
  };
}

/** A preAction hook: a local-only command given --server (or VIGIL_SERVER) stops with a usage error. */
export function refuseRemote(_program: Command, action: Command): void {
  if (REMOTE_CAPABLE.has(action) || remoteOf(action) === null) return;
  throw new VigilError(
    "USAGE",
    `vigil ${commandPath(action)} works on a local locker only: it does not take --server (or VIGIL_SERVER)`,
  );
}

function commandPath(c: Command): string {
  const names: string[] = [];
  for (let x: Command | null = c; x?.parent; x = x.parent) names.unshift(x.name());
  return names.join(" ");
}

/** http(s)://host[:port][/base], without credentials (the token goes in VIGIL_TOKEN), query or fragment. */
export function parseServerUrl(s: string): string {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new VigilError("USAGE", "--server must be a URL like http://127.0.0.1:7070");
  }
  if (u.protocol !== "http:" && u.protocol !== "https:")
    throw new VigilError("USAGE", "--server must be an http:// or https:// URL");
  if (u.username !== "" || u.password !== "")
    throw new VigilError("USAGE", "--server must not carry credentials: give the token in VIGIL_TOKEN");
  if (u.search !== "" || u.hash !== "") throw new VigilError("USAGE", "--server takes no query or fragment");
  return `${u.origin}${u.pathname.replace(/\/+$/, "")}`;
}
