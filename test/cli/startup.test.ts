/**
 * Start-up cost of the CLI: every command builds the whole command tree, so
 * the tree must not pull in the server's stack (Fastify, Ajv, prom-client)
 * or the PostgreSQL driver; those load when `serve` or a PostgreSQL locker
 * needs them. Measured by what lands in the CommonJS module cache (these
 * packages are CommonJS, so importing them from ESM caches them there too).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const HEAVY = ["fastify", "ajv", "prom-client", "pg", "pino"];

/** The heavy packages found in the module cache after running `script` (ESM) in a fresh node. */
function heavyLoaded(script: string): string[] {
  const probe = `
    import { createRequire } from "node:module";
    ${script}
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const heavy = ${JSON.stringify(HEAVY)};
    const found = heavy.filter((p) => cache.some((k) => k.includes("/node_modules/" + p + "/")));
    process.stdout.write(JSON.stringify(found));
  `;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

void test("building the CLI's command tree loads neither the server stack nor the pg driver", () => {
  const m = JSON.stringify(MAIN);
  assert.deepEqual(heavyLoaded(`const { buildProgram } = await import(${m}); buildProgram();`), []);
});

void test("the probe sees the server stack once the server module is loaded (it can fail)", () => {
  const serve = JSON.stringify(fileURLToPath(new URL("../../src/server/serve.js", import.meta.url)));
  const found = heavyLoaded(`await import(${serve});`);
  assert.ok(found.includes("fastify") && found.includes("prom-client"), `found only ${found.join(", ")}`);
});
