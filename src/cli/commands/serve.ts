import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { initLocker } from "../../app/init-locker.js";
import { lockerPaths } from "../../app/paths.js";
import { openLocker } from "../../app/open-locker.js";
import { systemClock } from "../../clock.js";
import { fsError } from "../../errors.js";
import { parseServerConfig } from "../../server/server-config.js";
import { databaseUrlFromEnv, globalOptions } from "../context.js";
import { selfCommand, shellWord } from "../self-command.js";

interface ServeFlags {
  config?: string;
  host?: string;
  port?: string;
}

function readConfigFile(path: string | undefined): { text: string; path: string } | null {
  if (path === undefined) return null;
  try {
    return { text: readFileSync(path, "utf8"), path };
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
}

/** Runs until SIGINT/SIGTERM, then shuts down gracefully (in-flight writes finish, a final anchor is signed). */
async function serve(f: ServeFlags, cmd: Command): Promise<void> {
  const g = globalOptions(cmd);
  const env = { ...process.env };
  if (f.host !== undefined) env.VIGIL_HOST = f.host;
  if (f.port !== undefined) env.VIGIL_PORT = f.port;
  const config = parseServerConfig(readConfigFile(f.config), env);
  const created = !existsSync(lockerPaths(g.data).config);
  if (created) initLocker(g.data, systemClock);
  // Loaded here: Fastify, Ajv and prom-client cost every other command ~0.3 s of start-up.
  const { startServer } = await import("../../server/serve.js");
  const server = await startServer(
    await openLocker(g.data, { databaseUrl: databaseUrlFromEnv(), flushOffLoop: true }),
    config,
  );
  // Listening for the signals before saying where it serves: whoever waits for that line may signal at once.
  const stopped = stopOnSignal(() => server.stop());
  const data = resolve(g.data);
  const vigil = selfCommand(process.argv[1] ?? "vigil", process.env.PATH);
  process.stderr.write(
    `vigil: ${created ? "created a new locker and " : ""}serving ${data} on ${server.url ?? "?"}\n` +
      `vigil: first token: ${vigil} --data ${shellWord(data)} token create --role admin --name me   (then: export VIGIL_TOKEN=...)\n`,
  );
  await stopped;
}

/** Resolves once `stop` finished after the first SIGINT or SIGTERM. */
function stopOnSignal(stop: () => Promise<void>): Promise<void> {
  return new Promise<void>((done) => {
    const onSignal = (signal: string) => {
      process.stderr.write(`vigil: ${signal}: finishing in-flight requests, signing a final anchor\n`);
      stop().then(done, (e: unknown) => {
        process.stderr.write(`vigil: shutdown failed: ${(e as Error).message}\n`);
        process.exitCode = 1;
        done();
      });
    };
    process.once("SIGINT", () => onSignal("SIGINT"));
    process.once("SIGTERM", () => onSignal("SIGTERM"));
  });
}

export function registerServeCommands(program: Command): void {
  program
    .command("serve")
    .description("run the HTTP API over the locker (creates the locker on first start)")
    .option(
      "--config <file>",
      "server configuration (JSON); environment VIGIL_HOST, VIGIL_PORT, ... override it",
    )
    .option("--host <host>", "listen address (default 127.0.0.1)")
    .option("--port <port>", "listen port (default 7070; 0 = any free port)")
    .action((f: ServeFlags, cmd: Command) => serve(f, cmd));
}
