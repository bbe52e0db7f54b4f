/**
 * The CLI suites again, on PostgreSQL: with VIGIL_TEST_BACKEND=postgres every
 * locker the helpers make keeps its journal in a fresh database (dropped at
 * the end). An unreachable server fails these tests (never a skip), and
 * .ci/run fails unless the last test below passed. Tests of what only the
 * embedded locker has are not registered here but counted (embeddedTest).
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { pgUnreachable } from "../storage/pg-test-db.js";

process.env.VIGIL_TEST_BACKEND = "postgres";

/** The suites rerun here (under dist/test). */
const SUITES = [
  "audit/audit-cli",
  "audit/diagnostics-cli",
  "cli/anchor-proof",
  "cli/audit-receipts",
  "cli/evidence",
  "cli/evidence-batch",
  "cli/faults",
  "cli/key-rotate",
  "cli/lifecycle",
  "cli/verify",
  "packs/pack-cli",
];

/** Every other suite that uses the CLI helpers, and why it is not rerun here. */
const LEFT_OUT: Readonly<Record<string, string>> = {
  "cli/locker": "init, jcs, usage errors and the demo: each makes its own embedded locker",
  "cli/remote":
    "reruns suites in child processes against a served twin; the server's PostgreSQL run is test/server's",
  "cli/postgres-suites": "this file",
  "audit/systemd-cli": "writes systemd units and opens no locker",
  "lifecycle/backup": "online backups copy vigil.db: embedded lockers only",
  "lifecycle/pitr": "point-in-time restore truncates vigil.db: embedded lockers only",
  "server/tlog-api": "a server suite: test/server/postgres-suites.test.ts reruns it",
  "storage/postgres-locker": "runs on PostgreSQL already",
  "storage/postgres-migrate": "runs on PostgreSQL already (migrate moves an embedded locker there)",
  "cli/self-command": "shell quoting of the first-token hint: opens no locker",
  "server/npm-start": "README's first command: npm start on the embedded default, creating the locker",
};

const dist = fileURLToPath(new URL("..", import.meta.url));
// The runner runs the root's after() hooks (each suite's temporary directory and databases) as soon
// as every test so far has finished, even while later suites are still being imported: a first test
// that lasts until the last import keeps the root busy until then.
let imported = (): void => undefined;
const allImported = new Promise<void>((resolve) => (imported = resolve));
void test("postgres: the CLI suites are loaded", () => allImported);
for (const s of SUITES) await import(`../${s}.test.js`);
imported();
const { databasesMade } = await import("./pg-sync.js");
const { BACKEND, testsNotOnPostgres } = await import("./cli-helpers.js");

/** dist/test/**\/*.test.js that import the CLI helpers, as "dir/name". */
function cliSuites(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) return cliSuites(p);
      if (!n.endsWith(".test.js") || !readFileSync(p, "utf8").includes("cli-helpers.js")) return [];
      return [relative(dist, p).replace(/\.test\.js$/, "")];
    });
}

void test("postgres: every CLI suite ran on PostgreSQL", async (t) => {
  assert.equal(await pgUnreachable(), null);
  assert.equal(BACKEND, "postgres");
  assert.deepEqual(
    cliSuites(dist).filter((s) => !SUITES.includes(s) && !(s in LEFT_OUT)),
    [],
    "a suite using the CLI helpers is neither rerun here nor left out with a reason",
  );
  assert.ok(databasesMade() >= SUITES.length, `only ${databasesMade()} PostgreSQL lockers were made`);
  t.diagnostic(`${testsNotOnPostgres().length} embedded-only tests left out:`);
  for (const s of testsNotOnPostgres()) t.diagnostic(`  ${s}`);
});
