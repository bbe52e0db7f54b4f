import type { Command } from "commander";
import type { AddOutcome } from "../../domains/evidence/evidence-service.js";
import type { RawEvidenceMeta } from "../../domains/evidence/metadata.js";
import type { Output } from "../output.js";
import { collect, collectLabel } from "../parse-args.js";

/** Metadata flags shared by `evidence add` and `evidence add-batch`. */
export interface AddFlags {
  /** From the global --tenant option, not a flag of its own. */
  tenant?: string;
  domain?: string;
  subdomain?: string;
  name?: string;
  date?: string;
  kind?: string;
  label?: Record<string, string>;
  retention?: string;
  producer?: string;
  parent?: string[];
}

export function metaOptions(cmd: Command): Command {
  return cmd
    .option("--domain <domain>", "evidence domain, e.g. security")
    .option("--subdomain <subdomain>", "evidence subdomain (default general)")
    .option("--name <name>", "artifact name (default: from the file name)")
    .option("--date <YYYY-MM-DD>", "evidence date (default: today, UTC)")
    .option("--kind <kind>", "artifact kind, e.g. drill-report (default generic)")
    .option("--label <k=v>", "label, repeatable", collectLabel)
    .option("--retention <class>", "retention class: operational, audit, incident (default operational)")
    .option("--producer <who>", "what produced the artifact")
    .option("--parent <digest>", "provenance parent, repeatable", collect);
}

export function rawMeta(f: AddFlags, today: string, fileName: string | null): RawEvidenceMeta {
  const base = fileName === null ? null : fileName.replace(/^.*\//, "");
  const dot = base === null ? -1 : base.lastIndexOf(".");
  const stem = base === null ? undefined : slugify(dot > 0 ? base.slice(0, dot) : base);
  const ext = base !== null && dot > 0 ? base.slice(dot).toLowerCase() : undefined;
  return {
    tenant: f.tenant,
    domain: f.domain,
    subdomain: f.subdomain,
    name: f.name ?? stem,
    date: f.date ?? today,
    kind: f.kind,
    labels: f.label,
    retention: f.retention,
    producer: f.producer,
    parents: f.parent,
    ext: ext !== undefined && /^\.[a-z0-9]{1,10}$/.test(ext) ? ext : undefined,
  };
}

function slugify(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[^a-z0-9]+/, "")
    .slice(0, 64);
}

export function printOutcome(out: Output, o: AddOutcome): void {
  const human =
    o.status === "added"
      ? `${out.color.ok("added")}   ${o.id}  leaf ${o.leafIndex}  ${o.path}`
      : o.status === "exists"
        ? `${out.color.dim("exists")}  ${o.id}  leaf ${o.leafIndex}  ${o.path}`
        : `${out.color.bad(o.status)}  ${o.id}  ${o.message ?? ""}`;
  out.line(o, human);
}
