import type { FastifyInstance } from "fastify";
import { projectAll } from "../app/projection.js";
import type { Locker } from "../app/open-locker.js";
import { TokenCache } from "../domains/access/token-cache.js";
import { anchorContext } from "../app/anchor-views.js";
import { isVigilError } from "../errors.js";
import { createAnchor } from "../log/anchors.js";
import { inTurn } from "./one-at-a-time.js";
import { buildApp } from "./app.js";
import type { ServerContext } from "./context.js";
import { JournalWriter } from "./journal-writer.js";
import { createMetrics } from "./metrics.js";
import type { ServerConfig } from "./server-config.js";

export interface RunningServer {
  readonly ctx: ServerContext;
  readonly app: FastifyInstance;
  /** Where it listens, e.g. http://127.0.0.1:7070 (null when not listening: in-process tests). */
  readonly url: string | null;
  /** Stop accepting, finish in-flight requests and writes, sign a final anchor, close the locker. */
  stop(): Promise<void>;
}

/** The server's context over an open locker: one writer, metrics reading the locker. */
export async function createContext(vigil: Locker, config: ServerConfig): Promise<ServerContext> {
  const writer = new JournalWriter({
    log: vigil.log,
    evidence: vigil.evidence,
    clock: vigil.clock,
    project: projectAll,
  });
  await writer.start();
  const metrics = createMetrics({
    artifacts: async () => (await vigil.evidence.stats()).artifacts,
    storageBytes: async () => (await vigil.evidence.stats()).bytes,
    journalSize: () => vigil.log.size(),
    anchorAgeSeconds: async () => {
      const cp = await vigil.log.latestCheckpoint();
      return cp === null ? null : (vigil.clock.now().getTime() - Date.parse(cp.createdAt)) / 1000;
    },
  });
  return { vigil, writer, config, metrics, tokens: new TokenCache(vigil.tokens) };
}

/** Signs an anchor when the journal grew since the latest one (in turn with POST /v1/anchors). */
export async function anchorIfNew(ctx: ServerContext): Promise<void> {
  const v = ctx.vigil;
  if (v.config.replicaOf !== undefined) return;
  await inTurn(ctx, "anchor", async () => {
    const latest = await v.log.latestCheckpoint();
    if ((await v.log.size()) === (latest?.size ?? 0)) return;
    await createAnchor(anchorContext(v)).catch((e: unknown) => {
      // Another server process on the same database anchored a larger tree meanwhile.
      if (!(isVigilError(e) && e.code === "CONFLICT")) throw e;
    });
  });
}

/**
 * Builds the app; listens unless `listen` is false (in-process tests
 * inject requests instead). Anchors every anchorIntervalMs while there are
 * new records.
 */
export async function startServer(
  vigil: Locker,
  config: ServerConfig,
  listen = true,
): Promise<RunningServer> {
  const ctx = await createContext(vigil, config);
  const app = buildApp(ctx);
  let url: string | null = null;
  if (listen) url = await app.listen({ host: config.host, port: config.port });
  else await app.ready();
  let anchoring: Promise<void> = Promise.resolve();
  const timer =
    config.anchorIntervalMs > 0
      ? setInterval(() => {
          anchoring = anchoring
            .then(() => anchorIfNew(ctx))
            .catch((e: unknown) => {
              process.stderr.write(`vigil serve: automatic anchor failed: ${(e as Error).message}\n`);
            });
        }, config.anchorIntervalMs)
      : null;
  let stopping: Promise<void> | null = null;
  const stop = () =>
    (stopping ??= (async () => {
      if (timer !== null) clearInterval(timer);
      await app.close();
      await anchoring;
      await ctx.writer.close();
      await anchorIfNew(ctx);
      await vigil.close();
    })());
  return { ctx, app, url, stop };
}
