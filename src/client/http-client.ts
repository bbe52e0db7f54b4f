import { open } from "node:fs/promises";
import { Readable } from "node:stream";
import type { ReadableStream as WebStream } from "node:stream/web";
import type { AddOutcome } from "../domains/evidence/evidence-service.js";
import { requireReason } from "../domains/evidence/lifecycle.js";
import { formatArtifactId, type RawEvidenceMeta } from "../domains/evidence/metadata.js";
import type { ProvenanceNode } from "../domains/evidence/provenance.js";
import { fsError, VigilError } from "../errors.js";
import type { AnchorRow } from "../app/anchor-views.js";
import type { ConsistencyProofView, InclusionProofView } from "../app/proofs.js";
import type { VerifyRequest } from "../app/verification.js";
import { parseReceiptQuery } from "../domains/access/receipt-query.js";
import type { ReceiptAudit } from "../domains/access/receipt-audit.js";
import { call, json, type Remote } from "./http-call.js";
import { downloadPack } from "./http-pack.js";
import type {
  AnchorView,
  Contents,
  IndexStatus,
  Inspection,
  LifecycleAction,
  ListFilter,
  LockerStatus,
  PackChoice,
  ReceiptAsk,
  ReportView,
  RowSummary,
  StorageStats,
  VigilClient,
} from "./vigil-client.js";

/** The server's list route returns at most this many rows; the CLI's default is "all" (up to it). */
const LIST_MAX = 10_000;

/** Metadata as the upload route's query: scalars as themselves, labels as k=v, parents repeated. */
export function metaQuery(raw: RawEvidenceMeta): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ["domain", "subdomain", "name", "date", "kind", "retention", "producer", "ext"] as const) {
    const v = raw[k];
    if (typeof v === "string") q.append(k, v);
  }
  for (const [k, v] of Object.entries((raw.labels ?? {}) as Record<string, string>))
    q.append("label", `${k}=${v}`);
  for (const p of (raw.parents ?? []) as string[]) q.append("parent", p);
  return q;
}

function listQuery(f: ListFilter): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ["domain", "subdomain", "kind", "from", "to"] as const)
    if (f[k] !== undefined) q.append(k, f[k]);
  for (const [k, v] of Object.entries(f.labels ?? {})) q.append("label", `${k}=${v}`);
  q.append("limit", String(Math.min(f.limit ?? LIST_MAX, LIST_MAX)));
  return q;
}

/** A file to upload, checked as `evidence add` checks it locally (same errors). */
async function openUpload(path: string): Promise<{ stream: Readable; size: number }> {
  let fh;
  try {
    fh = await open(path, "r");
  } catch (e) {
    throw fsError(path, e, "cannot read");
  }
  const st = await fh.stat();
  if (!st.isFile()) {
    await fh.close();
    throw new VigilError("INPUT_INVALID", `${path} is not a regular file`);
  }
  return { stream: fh.createReadStream(), size: st.size };
}

interface AnchorPage {
  readonly anchors: AnchorRow[];
  readonly next: number | null;
}

/** The client port over a Vigil server's /v1 API. */
export class HttpClient implements VigilClient {
  constructor(
    private readonly r: Remote,
    private readonly stdin: Readable,
  ) {}

  async add(source: string, raw: RawEvidenceMeta): Promise<AddOutcome> {
    const headers: Record<string, string> = { "content-type": "application/octet-stream" };
    const upload =
      source === "-" ? { stream: Readable.from(this.stdin), size: null } : await openUpload(source);
    if (upload.size !== null) headers["content-length"] = String(upload.size);
    const body = Readable.toWeb(upload.stream) as unknown as RequestInit["body"];
    const res = await call(this.r, "/v1/evidence", {
      method: "POST",
      query: metaQuery(raw),
      body,
      headers,
      accept: [409, 422],
    });
    return (await res.json()) as AddOutcome;
  }

  async contents(digest: Buffer): Promise<Contents> {
    const res = await call(this.r, `/v1/evidence/${formatArtifactId(digest)}`);
    const marked = res.headers.get("vigil-warning");
    const warning = marked === null ? null : `${formatArtifactId(digest)} is ${marked}`;
    const stream =
      res.body === null ? Readable.from([]) : Readable.fromWeb(res.body as WebStream<Uint8Array>);
    return { stream, warning };
  }

  inspect(digest: Buffer) {
    return json<Inspection>(this.r, `/v1/evidence/${formatArtifactId(digest)}/meta`);
  }

  async exists(digest: Buffer) {
    const res = await call(this.r, `/v1/evidence/${formatArtifactId(digest)}/meta`, { accept: [404] });
    await res.arrayBuffer();
    return res.status !== 404;
  }

  list(filter: ListFilter) {
    return json<RowSummary[]>(this.r, "/v1/evidence", { query: listQuery(filter) });
  }

  provenance(digest: Buffer) {
    const path = `/v1/evidence/${formatArtifactId(digest)}/provenance`;
    return json<{ root: ProvenanceNode; lines: string[] }>(this.r, path);
  }

  async lifecycle(action: LifecycleAction, digest: Buffer, reason: string | undefined) {
    const body = JSON.stringify({ reason: requireReason(reason) });
    const path = `/v1/evidence/${formatArtifactId(digest)}/${action}`;
    const headers = { "content-type": "application/json" };
    return (await json<{ recordLeaf: number }>(this.r, path, { method: "POST", body, headers })).recordLeaf;
  }

  async anchors(showLinks: boolean) {
    const rows: AnchorRow[] = [];
    let after: number | null = 0;
    while (after !== null) {
      const query: URLSearchParams = new URLSearchParams({ after: String(after), limit: "1000", links: String(showLinks) }); // prettier-ignore
      const page: AnchorPage = await json<AnchorPage>(this.r, "/v1/anchors", { query });
      rows.push(...page.anchors);
      after = page.next;
    }
    return rows;
  }

  anchor(seq: number | undefined) {
    return json<AnchorView>(this.r, `/v1/anchors/${seq ?? "latest"}`);
  }

  createAnchor() {
    const headers = { "content-type": "application/json" };
    return json<AnchorView & { created: boolean }>(this.r, "/v1/anchors", { method: "POST", body: "{}", headers }); // prettier-ignore
  }

  async inclusionProof(digest: Buffer, size: number | undefined) {
    const query = new URLSearchParams(size === undefined ? {} : { size: String(size) });
    const path = `/v1/evidence/${formatArtifactId(digest)}/proof`;
    const { v, type, leafIndex, treeSize, leafHash, root, proof } = await json<InclusionProofView>(this.r, path, { query }); // prettier-ignore
    return { v, type, leafIndex, treeSize, leafHash, root, proof };
  }

  consistencyProof(from: number, to: number) {
    const query = new URLSearchParams({ from: String(from), to: String(to) });
    return json<ConsistencyProofView>(this.r, "/v1/proofs/consistency", { query });
  }

  /** The server runs it (no progress to show) and stores the report through its writer. */
  async verify(req: VerifyRequest) {
    const headers = { "content-type": "application/json" };
    const body = JSON.stringify(req);
    const answer = await json<ReportView & { reportId: string | null }>(this.r, "/v1/verify", { method: "POST", body, headers }); // prettier-ignore
    const { reportId, ...report } = answer;
    return { report, reportId };
  }

  async latestReport() {
    const res = await call(this.r, "/v1/verify/reports/latest", { accept: [404] });
    if (res.status === 404) return (await res.arrayBuffer(), null);
    const { id, ...report } = (await res.json()) as ReportView & { id: string };
    return { id, report };
  }

  status() {
    return json<LockerStatus>(this.r, "/v1/status");
  }

  storageStats() {
    return json<StorageStats>(this.r, "/v1/storage/stats");
  }

  indexStatus() {
    return json<IndexStatus>(this.r, "/v1/index/status");
  }

  exportPack(choice: PackChoice, includeDeps: boolean, output: string) {
    return downloadPack(this.r, choice, includeDeps, output);
  }

  /** Checked here first (the same errors as a local run, nothing sent); the server's clock places the window. */
  receipts(ask: ReceiptAsk) {
    parseReceiptQuery(ask, new Date());
    const query = new URLSearchParams({ since: ask.since, checkGaps: String(ask.checkGaps), limit: String(ask.limit) }); // prettier-ignore
    if (ask.until !== undefined) query.append("until", ask.until);
    if (ask.tenant !== undefined) query.append("tenant", ask.tenant);
    return json<ReceiptAudit>(this.r, "/v1/audit/receipts", { query });
  }

  async close() {}
}
