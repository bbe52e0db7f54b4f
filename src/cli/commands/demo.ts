import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildInclusionProof, canonicalize, verifyInclusion } from "../../journal/index.js";
import { anchorContext } from "../../app/anchor-views.js";
import { initLocker } from "../../app/init-locker.js";
import { projectAll } from "../../app/projection.js";
import { runVerification } from "../../app/verification.js";
import { openVigil } from "../../app/vigil.js";
import { systemClock } from "../../clock.js";
import { commitEvidence } from "../../domains/evidence/evidence-service.js";
import { inlineContents } from "../../domains/evidence/ingest.js";
import { parseEvidenceMeta } from "../../domains/evidence/metadata.js";
import { createAnchor } from "../../log/anchors.js";
import type { GlobalOptions } from "../context.js";
import type { Output } from "../output.js";

const SAMPLES = [
  {
    domain: "security",
    subdomain: "access",
    name: "quarterly-access-review",
    kind: "review",
    body: { reviewer: "sre-lead", accounts: 42, revoked: 3 },
  },
  {
    domain: "resilience",
    subdomain: "backup",
    name: "restore-drill",
    kind: "drill-report",
    body: { drill: "DR-001", rto_seconds: 412, passed: true },
  },
];

/** The README's first command: a locker from nothing to verified in one go. */
export async function runDemo(g: GlobalOptions, out: Output): Promise<void> {
  const dir =
    g.data !== "./vigil-data" || process.env.VIGIL_DATA
      ? g.data
      : join(mkdtempSync(join(tmpdir(), "vigil-demo-")), "locker");
  const steps: Record<string, unknown>[] = [];
  const say = (step: string, detail: string, data: Record<string, unknown> = {}) => {
    steps.push({ step, detail, ...data });
    out.info(`${out.color.ok("✓")} ${out.color.bold(step.padEnd(8))} ${detail}`);
  };
  const config = initLocker(dir, systemClock);
  say("init", `locker ${config.lockerId} at ${dir}`);
  const v = openVigil(dir);
  try {
    const today = v.clock.now().toISOString().slice(0, 10);
    const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
    const candidates = SAMPLES.map((s) => ({
      contents: inlineContents(Buffer.from(`${canonicalize(s.body)}\n`)),
      meta: parseEvidenceMeta(
        { ...s, date: today, producer: "vigil demo" },
        "demo",
        v.config.retentionClasses,
      ),
    }));
    const added = await commitEvidence(deps, candidates);
    for (const a of added) say("add", `${a.path}  ${a.id}`, { id: a.id });
    const summary = inlineContents(
      Buffer.from(
        `${canonicalize({ summary: "quarterly assurance pack", inputs: added.map((a) => a.id) })}\n`,
      ),
    );
    const meta = parseEvidenceMeta(
      {
        domain: "assurance",
        subdomain: "packs",
        name: "quarterly-summary",
        kind: "summary",
        date: today,
        parents: added.map((a) => a.id),
      },
      "demo",
      v.config.retentionClasses,
    );
    const [child] = await commitEvidence(deps, [{ contents: summary, meta }]);
    say("add", `${child?.path}  derived from ${added.length} parents`);
    const { anchor } = await createAnchor(anchorContext(v));
    say(
      "anchor",
      `checkpoint #${anchor.seq} signed over ${anchor.size} entries, root ${anchor.root.toString("base64")}`,
    );
    const leaf = child?.leafIndex ?? 0;
    const proof = await buildInclusionProof(leaf, anchor.size, (ids) => v.log.readNodes(ids));
    const [lh] = await v.log.readNodes([{ level: 0, index: leaf }]);
    const ok = verifyInclusion(leaf, anchor.size, lh as Buffer, proof, anchor.root);
    say(
      "prove",
      `leaf ${leaf} is in the anchored tree (${proof.length}-hash proof ${ok ? "verifies" : "FAILS"})`,
    );
    const { report } = await runVerification(v, { mode: "full", sample: 0, seed: 0 });
    say(
      "verify",
      `full verification ${report.result}: ${report.counts.artifacts} artifacts, ${report.counts.leaves} leaves, ${report.counts.anchors} anchors`,
    );
    out.result(
      { dataDir: dir, verifierKey: v.verifierKey, steps, result: report.result },
      () => `\nverifier key: ${v.verifierKey}\nexplore: ./bin/vigil --data ${dir} status`,
    );
    if (report.result !== "passed" || !ok) process.exitCode = 1;
  } finally {
    await v.close();
  }
}
