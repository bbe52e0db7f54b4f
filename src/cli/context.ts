import type { Command } from "commander";
import { openVigil, type Vigil } from "../app/vigil.js";
import { createOutput, type Output } from "./output.js";
import { DEFAULT_TENANT, parseTenant } from "../domains/evidence/metadata.js";

export interface GlobalOptions {
  readonly data: string;
  readonly json: boolean;
  /** The tenant evidence commands read and write. */
  readonly tenant: string;
}

export function globalOptions(cmd: Command): GlobalOptions {
  const o = cmd.optsWithGlobals<{ data?: string; json?: boolean; tenant?: string }>();
  return {
    data: o.data ?? process.env.VIGIL_DATA ?? "./vigil-data",
    json: o.json === true,
    tenant: parseTenant(o.tenant ?? process.env.VIGIL_TENANT ?? DEFAULT_TENANT, "--tenant"),
  };
}

export function outputFor(cmd: Command): Output {
  return createOutput(globalOptions(cmd).json);
}

/** Opens the locker for one command and always closes it. */
export async function withVigil<T>(
  cmd: Command,
  fn: (v: Vigil, out: Output, g: GlobalOptions) => Promise<T>,
): Promise<T> {
  const g = globalOptions(cmd);
  const v = openVigil(g.data);
  try {
    return await fn(v, createOutput(g.json), g);
  } finally {
    await v.close();
  }
}

/** Set by a command whose outcome is not success but also not an error (e.g. exists -> 3). */
export function setExitCode(code: number): void {
  process.exitCode = code;
}
