import type { Command } from "commander";

/**
 * The program's own options, wherever they were given. Not optsWithGlobals():
 * a subcommand's option of the same name (`token create --tenant '*'`) would
 * shadow the global one.
 */
export function programOptions<T extends object>(cmd: Command): Partial<T> {
  let root = cmd;
  while (root.parent !== null) root = root.parent;
  return root.opts<T>();
}
