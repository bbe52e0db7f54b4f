/** Runs every benchmark in its own process, one after the other (they compete for 2 cores otherwise). */
import { spawnSync } from "node:child_process";

const BENCHES: [string, string[]][] = [
  ["ingest-small.js", []],
  ["index-rebuild.js", []],
  ["proofs.js", []],
  ["verify-full.js", []],
  ["ingest-large.js", []],
  ["pack.js", []],
  // The server as its own process under autocannon (~1.5 and ~3 min); server-soak.js (10 min) runs alone.
  ["server-get.js", []],
  ["server-upload.js", []],
];
const only = process.argv.slice(2);
for (const [file, args] of BENCHES) {
  if (only.length > 0 && !only.some((o) => file.startsWith(o))) continue;
  const r = spawnSync(process.execPath, [new URL(`./${file}`, import.meta.url).pathname, ...args], {
    stdio: "inherit",
  });
  if (r.status !== 0) process.exitCode = 1;
}
