/**
 * The test command: every dist/test/**\/*.test.js file through Node's test
 * runner. (Node 20's runner takes no globs, and would also run helper
 * modules that sit in a directory named test.)
 */
import { spawnSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";

function find(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((n) => {
      const p = join(dir, n);
      return statSync(p).isDirectory() ? find(p) : n.endsWith(".test.js") ? [p] : [];
    });
}

const root = new URL("../test", import.meta.url).pathname;
const only = process.argv.slice(2);
// The PostgreSQL reruns (each a whole directory of suites, run one after another) are by far the
// longest files: started first, they overlap with all the others instead of running on alone at the end.
const rerun = (f: string) => (f.endsWith("postgres-suites.test.js") ? 0 : 1);
const files = find(root)
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort((a, b) => rerun(a) - rerun(b));
if (files.length === 0) {
  process.stderr.write("run-tests: no test files found\n");
  process.exit(1);
}
const r = spawnSync(process.execPath, ["--test", "--test-concurrency=2", ...files], { stdio: "inherit" });
process.exit(r.status ?? 1);
