/**
 * Enforces the layer rules of ARCHITECTURE.md on the compiled import graph:
 * journal/ imports only node:crypto and itself; storage/ never imports
 * domains/, app/ or cli/; domains/ never import app/ or cli/; nothing
 * below cli/ imports cli/; and there are no import cycles.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const ROOT = resolve(new URL("../src", import.meta.url).pathname);
const files = walk(ROOT).filter((f) => f.endsWith(".js"));
const graph = new Map<string, string[]>();
const problems: string[] = [];

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

const layer = (f: string) => relative(ROOT, f).split("/")[0] ?? "";
const FORBIDDEN: Record<string, string[]> = {
  journal: ["storage", "domains", "app", "cli", "log", "verify", "tlog", "errors.js", "clock.js"],
  storage: ["domains", "app", "cli", "log", "verify", "tlog"],
  domains: ["app", "cli", "verify", "tlog"],
  log: ["domains", "app", "cli", "verify", "tlog"],
  tlog: ["domains", "app", "cli", "verify"],
  verify: ["app", "cli"],
  app: ["cli"],
  audit: ["cli", "app"],
  diagnostics: ["cli"],
  packs: ["cli", "app"],
  lifecycle: ["cli"],
  replica: ["cli"],
  migrate: ["cli", "server", "client"],
  server: ["cli", "client"],
  client: ["cli", "server"],
};

for (const f of files) {
  const src = readFileSync(f, "utf8");
  const deps: string[] = [];
  for (const m of src.matchAll(
    /(?:^|\n)\s*(?:import|export)[^'"]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g,
  )) {
    const spec = m[1] ?? m[2] ?? "";
    if (spec.startsWith(".")) deps.push(resolve(dirname(f), spec));
    else if (layer(f) === "journal" && spec !== "node:crypto")
      problems.push(`${relative(ROOT, f)} imports ${spec}: journal/ may import only node:crypto`);
  }
  graph.set(f, deps);
  for (const d of deps) {
    if ((FORBIDDEN[layer(f)] ?? []).includes(layer(d)))
      problems.push(
        `${relative(ROOT, f)} imports ${relative(ROOT, d)}: ${layer(f)}/ must not depend on ${layer(d)}`,
      );
  }
}

const state = new Map<string, "visiting" | "done">();
function visit(f: string, stack: string[]): void {
  if (state.get(f) === "done") return;
  if (state.get(f) === "visiting") {
    problems.push(
      `import cycle: ${[...stack.slice(stack.indexOf(f)), f].map((x) => relative(ROOT, x)).join(" -> ")}`,
    );
    return;
  }
  state.set(f, "visiting");
  for (const d of graph.get(f) ?? []) visit(d, [...stack, f]);
  state.set(f, "done");
}
for (const f of files) visit(f, []);

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`check-imports: ${p}\n`);
  process.exit(1);
}
process.stdout.write(`check-imports: ${files.length} modules, layers respected, no cycles\n`);
