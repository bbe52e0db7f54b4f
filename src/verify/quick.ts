import {
  buildInclusionProof,
  decodeRecord,
  equalBytes,
  leafHash,
  verifyInclusion,
  type Verifier,
} from "../journal/index.js";
import { verifyAnchors } from "../log/anchors.js";
import type { BlobStore } from "../storage/blob-store.js";
import type { EvidenceIndex } from "../storage/evidence-index.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { LogStore } from "../storage/log-store.js";
import { checkInlineBlob, checkOpenedBlob } from "./blob-check.js";
import type { VerifyOutcome } from "./full.js";
import { emptyCounts, type Finding } from "./report.js";

/** mulberry32: a tiny seeded PRNG, so a quick run can be repeated exactly with --seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function sampleIndices(size: number, n: number, seed: number): number[] {
  if (n >= size) return Array.from({ length: size }, (_, i) => i);
  const rand = seededRandom(seed);
  const picked = new Set<number>();
  while (picked.size < n) picked.add(Math.floor(rand() * size));
  return [...picked].sort((a, b) => a - b);
}

/** What a quick run reads: the ports only, so it runs on either backend. */
export interface QuickDeps {
  readonly log: LogStore;
  readonly blobs: BlobStore;
  readonly evidence: EvidenceIndex;
  readonly verifier: Verifier;
  readonly origin: string;
}

/**
 * Quick verification: a seeded random sample of entries, each rehashed,
 * decoded, its contents rehashed and its inclusion in the latest anchor
 * proven, plus the latest anchor's signature, root and link.
 */
export async function verifyQuick(deps: QuickDeps, sample: number, seed: number): Promise<VerifyOutcome> {
  const findings: Finding[] = [];
  const expected: Finding[] = [];
  const counts = emptyCounts();
  const anchor = await deps.log.latestCheckpoint();
  for (const idx of sampleIndices(await deps.log.size(), sample, seed)) {
    counts.leaves++;
    await checkEntry(deps, idx, anchor, { findings, expected }, counts);
  }
  for (const a of await verifyAnchors(
    { log: deps.log, verifier: deps.verifier, origin: deps.origin },
    "latest",
  )) {
    counts.anchors++;
    for (const p of a.problems) findings.push({ kind: "anchor", id: `anchor ${a.seq}`, problem: p });
  }
  return { findings, expected, counts };
}

async function checkEntry(
  deps: QuickDeps,
  idx: number,
  anchor: StoredCheckpoint | null,
  out: { findings: Finding[]; expected: Finding[] },
  counts: ReturnType<typeof emptyCounts>,
): Promise<void> {
  const findings = out.findings;
  const [entry] = await deps.log.readEntries(idx, idx + 1);
  const id = `leaf ${idx}`;
  if (entry === undefined) return void findings.push({ kind: "leaf", id, problem: "entry is missing" });
  if (!equalBytes(leafHash(entry.bytes), entry.leafHash))
    findings.push({ kind: "leaf", id, problem: "stored leaf hash does not match SHA-256(0x00 || record)" });
  if (anchor !== null && idx < anchor.size) {
    const proof = await buildInclusionProof(idx, anchor.size, (ids) => deps.log.readNodes(ids)).catch(
      () => null,
    );
    if (proof === null || !verifyInclusion(idx, anchor.size, leafHash(entry.bytes), proof, anchor.root)) {
      findings.push({ kind: "leaf", id, problem: `not provably included in anchor ${anchor.seq}` });
    }
  }
  let record;
  try {
    record = decodeRecord(entry.bytes);
  } catch (e) {
    return void findings.push({ kind: "record", id, problem: (e as Error).message });
  }
  if (record.type !== "evidence.added" || typeof record.digest !== "string") return;
  await checkContents(deps, Buffer.from(record.digest.slice(7), "hex"), idx, out, counts);
}

/** Rehashes one artifact's contents, unless its lifecycle says they expired (expected). */
export async function checkContents(
  deps: QuickDeps,
  digest: Buffer,
  leaf: number,
  out: { findings: Finding[]; expected: Finding[] },
  counts: ReturnType<typeof emptyCounts>,
): Promise<void> {
  const id = `sha256:${digest.toString("hex")}`;
  const state = (await deps.evidence.lifecycle(leaf)).state?.state;
  if (state === "expired") {
    counts.expired++;
    return void out.expected.push({
      kind: "artifact",
      id,
      problem: "contents expired under retention (the record remains)",
    });
  }
  const info = await deps.blobs.stat(digest);
  counts.artifacts++;
  if (info === null)
    return void out.findings.push({ kind: "artifact", id, problem: "contents are not in the blob store" });
  counts.bytes += info.size;
  const f = info.inline
    ? checkInlineBlob((await deps.blobs.inlineData(digest)) ?? Buffer.alloc(0), digest, info.size)
    : await checkOpenedBlob(deps.blobs, digest, info.size);
  if (state === "corrupted")
    out.expected.push({ kind: "artifact", id, problem: `marked corrupted${f ? `: ${f.problem}` : ""}` });
  else if (f !== null) out.findings.push(f);
}
