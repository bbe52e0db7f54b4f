/**
 * A `vigil migrate` that dies: runs migrate() from `from` into `url` and
 * kills itself with SIGKILL at its first progress report of `stage`, the
 * way a crash or kill -9 would stop it (no cleanup runs).
 */
import { migrate } from "../../src/migrate/migrate.js";

const [from, url, targetDir, stage] = process.argv.slice(2) as [string, string, string, string];
await migrate({
  from,
  to: url,
  targetDir,
  onProgress: (s) => {
    if (s === stage) process.kill(process.pid, "SIGKILL");
  },
});
process.stdout.write("migrate finished: the kill never came\n");
