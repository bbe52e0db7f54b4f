import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, isAbsolute, join, relative } from "node:path";
import { projectAll } from "../../app/projection.js";
import type { LockerPorts } from "../../app/open-locker.js";
import { bulkIngest } from "../../domains/evidence/bulk-ingest.js";
import { parseEvidenceMeta, type EvidenceMeta } from "../../domains/evidence/metadata.js";
import { VigilError } from "../../errors.js";
import type { Output } from "../output.js";
import { printOutcome, rawMeta } from "./evidence-flags.js";

interface PlannedItem {
  readonly path: string;
  readonly meta: EvidenceMeta;
}

type Flags = Parameters<typeof rawMeta>[0] & { batchSize: number };

/**
 * Bulk ingest in two passes: every line or file is parsed and checked first
 * (bad input changes nothing), then artifacts are committed in groups; each
 * line printed is an acknowledged, durable artifact.
 */
export async function runAddBatch(v: LockerPorts, out: Output, source: string, flags: Flags): Promise<void> {
  const today = v.clock.now().toISOString().slice(0, 10);
  const plan = planBatch(source, flags, today, v.config.retentionClasses);
  const counts = { added: 0, exists: 0, rejected: 0, done: 0 };
  const groups: PlannedItem[][] = [];
  for (let i = 0; i < plan.length; i += flags.batchSize) groups.push(plan.slice(i, i + flags.batchSize));
  const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
  await bulkIngest(deps, groups, {
    blobs: v.blobs,
    inlineLimit: v.config.inlineLimit,
    onCommitted: (outcomes) => {
      out.endProgress();
      for (const o of outcomes) {
        printOutcome(out, o);
        if (o.status === "added") counts.added++;
        else if (o.status === "exists") counts.exists++;
        else counts.rejected++;
      }
      counts.done += outcomes.length;
      out.progress("ingesting", counts.done, plan.length);
    },
  });
  out.endProgress();
  out.info(`${counts.added} added, ${counts.exists} already present, ${counts.rejected} rejected`);
  if (counts.rejected > 0) process.exitCode = 4;
}

function planBatch(source: string, flags: Flags, today: string, classes: readonly string[]): PlannedItem[] {
  let st;
  try {
    st = statSync(source);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new VigilError(
      code === "EACCES" ? "PERMISSION_DENIED" : "NOT_FOUND",
      `${source}: cannot read (${code ?? "error"})`,
    );
  }
  return st.isDirectory()
    ? planDirectory(source, flags, today, classes)
    : planJsonl(source, flags, today, classes);
}

function planDirectory(dir: string, flags: Flags, today: string, classes: readonly string[]): PlannedItem[] {
  const files = walk(dir);
  if (files.length === 0) throw new VigilError("INPUT_INVALID", `${dir}: no files to add`);
  return files.map((path) => ({
    path,
    meta: parseEvidenceMeta(rawMeta(flags, today, relative(dir, path)), path, classes),
  }));
}

function walk(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (e) {
    throw new VigilError(
      "PERMISSION_DENIED",
      `${dir}: cannot list directory (${(e as NodeJS.ErrnoException).code ?? "error"})`,
    );
  }
  return entries
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : e.isFile() ? [join(dir, e.name)] : []));
}

function planJsonl(file: string, flags: Flags, today: string, classes: readonly string[]): PlannedItem[] {
  const base = dirname(file);
  const problems: string[] = [];
  const items: PlannedItem[] = [];
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, i) => {
      if (line.trim() === "") return;
      const where = `${file}:${i + 1}`;
      try {
        items.push(planLine(line, where, base, flags, today, classes));
      } catch (e) {
        if (problems.length < 20)
          problems.push(e instanceof VigilError ? e.message : `${where}: ${(e as Error).message}`);
        else if (problems.length === 20) problems.push("…");
      }
    });
  if (problems.length > 0)
    throw new VigilError("INPUT_INVALID", `nothing was added; fix these lines: ${problems.join(" | ")}`);
  if (items.length === 0) throw new VigilError("INPUT_INVALID", `${file}: no artifacts listed`);
  return items;
}

function planLine(
  line: string,
  where: string,
  base: string,
  flags: Flags,
  today: string,
  classes: readonly string[],
): PlannedItem {
  let obj: unknown;
  try {
    obj = JSON.parse(line);
  } catch {
    throw new VigilError("INPUT_INVALID", `${where}: not valid JSON`);
  }
  if (typeof obj !== "object" || obj === null || Array.isArray(obj))
    throw new VigilError("INPUT_INVALID", `${where}: expected a JSON object`);
  const o = obj as Record<string, unknown>;
  if (typeof o.path !== "string" || o.path === "")
    throw new VigilError("INPUT_INVALID", `${where}: "path" must be a file path`);
  const path = isAbsolute(o.path) ? o.path : join(base, o.path);
  const fromFlags = rawMeta(flags, today, o.path);
  const meta = parseEvidenceMeta({ ...fromFlags, ...pickMeta(o) }, where, classes);
  try {
    if (!statSync(path).isFile()) throw new Error("not a regular file");
  } catch (e) {
    throw new VigilError(
      "INPUT_INVALID",
      `${where}: ${o.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
    );
  }
  return { path, meta };
}

function pickMeta(o: Record<string, unknown>): Record<string, unknown> {
  const keys = ["domain", "subdomain", "name", "date", "kind", "labels", "retention", "producer", "parents"];
  return Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
}
