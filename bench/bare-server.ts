/**
 * The baselines: bare Fastify routes, no authentication, no receipt, no
 * storage. GET answers the same bytes as the artifact; POST reads a 1 KiB
 * body (or a JSON batch) and answers a small JSON outcome, as the upload
 * routes do.
 *
 *   node dist/bench/bare-server.js <bytes as base64>
 */
import Fastify from "fastify";

const bytes = Buffer.from(process.argv[2] ?? "", "base64");
const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
app.get("/v1/evidence/:id", async (_req, reply) => {
  reply.header("content-type", "application/octet-stream");
  return bytes;
});
app.addContentTypeParser("application/octet-stream", { parseAs: "buffer" }, (_req, body, done) =>
  done(null, body),
);
app.post("/v1/evidence", async (req, reply) => {
  reply.code(201);
  return { id: "sha256:0", status: "added", size: (req.body as Buffer).length };
});
app.post("/v1/evidence/batch", async (req) => ({ added: (req.body as { items: unknown[] }).items.length }));
const url = await app.listen({ host: "127.0.0.1", port: 0 });
process.stderr.write(`bare fastify listening on ${url}\n`);
process.once("SIGTERM", () => void app.close().then(() => process.exit(0)));
