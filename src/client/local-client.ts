import type { Readable } from "node:stream";
import { inspectArtifact, requireArtifact } from "../app/evidence-queries.js";
import { projectAll } from "../app/projection.js";
import type { Locker } from "../app/open-locker.js";
import { commitEvidence, rowSummary } from "../domains/evidence/evidence-service.js";
import { ingestFile, ingestStream } from "../domains/evidence/ingest.js";
import { hold, markCorrupted, release } from "../domains/evidence/lifecycle.js";
import { parseEvidenceMeta, type RawEvidenceMeta } from "../domains/evidence/metadata.js";
import { provenance } from "../domains/evidence/provenance.js";
import { VigilError } from "../errors.js";
import { anchorContext, anchorJson, anchorRows, requireAnchor } from "../app/anchor-views.js";
import { consistencyProof, inclusionProof, proofTreeSize } from "../app/proofs.js";
import { fullStorageStats, lockerStatus } from "../app/locker-status.js";
import { runVerification, type VerifyRequest } from "../app/verification.js";
import { latestReport } from "../app/verify-reports.js";
import { runReceiptAudit } from "../app/receipt-audit.js";
import { parseReceiptQuery } from "../domains/access/receipt-query.js";
import { createAnchor } from "../log/anchors.js";
import { exportPack } from "../packs/export-pack.js";
import type {
  Contents,
  LifecycleAction,
  ListFilter,
  PackChoice,
  ReceiptAsk,
  VigilClient,
} from "./vigil-client.js";

const LIFECYCLE = { hold, release, "mark-corrupted": markCorrupted } as const;

/** The client port over a locker opened in this process, acting in one tenant. */
export class LocalClient implements VigilClient {
  constructor(
    private readonly v: Locker,
    private readonly tenant: string,
    private readonly stdin: Readable,
  ) {}

  async add(source: string, raw: RawEvidenceMeta) {
    const v = this.v;
    const meta = parseEvidenceMeta(
      { ...raw, tenant: this.tenant },
      "evidence add",
      v.config.retentionClasses,
    );
    const contents =
      source === "-"
        ? await ingestStream(this.stdin, v.config.inlineLimit, v.blobs)
        : await ingestFile(source, v.config.inlineLimit, v.blobs);
    const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
    const [o] = await commitEvidence(deps, [{ contents, meta }]);
    if (o === undefined) throw new VigilError("INTERNAL", "no outcome");
    return o;
  }

  async contents(digest: Buffer): Promise<Contents> {
    const row = await requireArtifact(this.v, digest, this.tenant);
    const { state } = await this.v.evidence.lifecycle(row.leafIndex);
    const id = `sha256:${digest.toString("hex")}`;
    if (state?.state === "expired")
      throw new VigilError(
        "NOT_FOUND",
        `${id}: contents expired on ${state.fact.at.slice(0, 10)} (${state.fact.reason}); the record remains`,
      );
    const warning =
      state?.state === "corrupted"
        ? `${id} is marked corrupted (${state.fact.reason}); these bytes may not match their digest`
        : null;
    return { stream: await this.v.blobs.open(row.digest), warning };
  }

  async inspect(digest: Buffer) {
    return inspectArtifact(this.v, await requireArtifact(this.v, digest, this.tenant));
  }

  async exists(digest: Buffer) {
    return (await this.v.evidence.get(digest, this.tenant)) !== null;
  }

  async list(filter: ListFilter) {
    return (await this.v.evidence.list({ ...filter, tenant: this.tenant })).map(rowSummary);
  }

  provenance(digest: Buffer) {
    return provenance(this.v.evidence, digest, this.tenant);
  }

  lifecycle(action: LifecycleAction, digest: Buffer, reason: string | undefined) {
    const v = this.v;
    const deps = { log: v.log, evidence: v.evidence, clock: v.clock, project: projectAll };
    return LIFECYCLE[action](deps, { digest, tenant: this.tenant }, reason);
  }

  anchors(showLinks: boolean) {
    return anchorRows(this.v, { showLinks });
  }

  async anchor(seq: number | undefined) {
    return anchorJson(await requireAnchor(this.v, seq));
  }

  async createAnchor() {
    const { anchor, created } = await createAnchor(anchorContext(this.v));
    return { created, ...anchorJson(anchor) };
  }

  async inclusionProof(digest: Buffer, size: number | undefined) {
    const row = await requireArtifact(this.v, digest, this.tenant);
    return inclusionProof(this.v, row.leafIndex, await proofTreeSize(this.v, size));
  }

  consistencyProof(from: number, to: number) {
    return consistencyProof(this.v, from, to);
  }

  verify(req: VerifyRequest, onProgress: (stage: string, n: number) => void) {
    return runVerification(this.v, req, onProgress);
  }

  latestReport() {
    return latestReport(this.v);
  }

  status() {
    return lockerStatus(this.v);
  }

  storageStats() {
    return fullStorageStats(this.v);
  }

  indexStatus() {
    return this.v.maintenance.status();
  }

  exportPack(choice: PackChoice, includeDeps: boolean, output: string) {
    const selection =
      "ids" in choice
        ? { ids: choice.ids, tenant: this.tenant }
        : { query: { ...choice.query, tenant: this.tenant } };
    return exportPack(this.v, { selection, includeDeps, output });
  }

  receipts(ask: ReceiptAsk) {
    return runReceiptAudit(this.v.log, parseReceiptQuery(ask, this.v.clock.now()));
  }

  close() {
    return this.v.close();
  }
}
