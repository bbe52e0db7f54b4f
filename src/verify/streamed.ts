import {
  appendLeaves,
  decodeRecord,
  equalBytes,
  EMPTY_FRONTIER,
  frontierRoot,
  leafHash,
  type Frontier,
  type StoredNode,
} from "../journal/index.js";
import { verifyAnchors } from "../log/anchors.js";
import type { StoredCheckpoint } from "../storage/log-reader.js";
import type { VerifyOutcome } from "./full.js";
import { checkContents, type QuickDeps } from "./quick.js";
import { emptyCounts, type Finding, type VerifyCounts } from "./report.js";

/** Entries read per round trip. */
const PAGE = 2048;

interface Walk {
  frontier: Frontier;
  readonly out: { findings: Finding[]; expected: Finding[] };
  readonly counts: VerifyCounts;
}

/**
 * Full verification through the ports alone (the PostgreSQL locker's): every
 * entry rehashed and decoded, every artifact's contents rehashed, the tree
 * recomputed from the leaves with every completed node compared to the
 * stored one, every anchor's root compared to the recomputed tree at its
 * size, and every anchor's signature and consistency link. One pass, in
 * pages; memory holds a page and the frontier.
 */
export async function verifyStreamed(
  deps: QuickDeps,
  onProgress?: (stage: string, n: number) => void,
): Promise<VerifyOutcome> {
  const w: Walk = { frontier: EMPTY_FRONTIER, out: { findings: [], expected: [] }, counts: emptyCounts() };
  const size = await deps.log.size();
  const anchors = (await deps.log.listCheckpoints()).filter((a) => a.size <= size);
  const stops = [...new Set([...anchors.map((a) => a.size), size])].sort((a, b) => a - b);
  let at = 0;
  for (const stop of stops) {
    for (; at < stop; at = Math.min(stop, at + PAGE)) {
      await walkPage(deps, w, at, Math.min(stop, at + PAGE));
      onProgress?.("leaves", w.frontier.size);
    }
    checkRootAt(w, anchors, stop);
  }
  for (const checked of await verifyAnchors(
    { log: deps.log, verifier: deps.verifier, origin: deps.origin },
    "all",
  ))
    for (const p of checked.problems)
      w.out.findings.push({ kind: "anchor", id: `anchor ${checked.seq}`, problem: p });
  w.counts.anchors += anchors.length;
  return { findings: w.out.findings, expected: w.out.expected, counts: w.counts };
}

async function walkPage(deps: QuickDeps, w: Walk, lo: number, hi: number): Promise<void> {
  const entries = await deps.log.readEntries(lo, hi);
  if (entries.length !== hi - lo)
    w.out.findings.push({ kind: "leaf", id: `leaves ${lo}..${hi - 1}`, problem: "entries are missing" });
  const hashes: Buffer[] = [];
  for (const e of entries) {
    const id = `leaf ${e.index}`;
    const h = leafHash(e.bytes);
    hashes.push(Buffer.from(h));
    w.counts.leaves++;
    if (!equalBytes(h, e.leafHash))
      w.out.findings.push({
        kind: "leaf",
        id,
        problem: "stored leaf hash does not match SHA-256(0x00 || record)",
      });
    await checkRecord(deps, w, e.index, e.bytes);
  }
  const { frontier, nodes } = appendLeaves(w.frontier, hashes);
  w.frontier = frontier;
  await checkNodes(deps, w, nodes);
}

async function checkRecord(deps: QuickDeps, w: Walk, index: number, bytes: Buffer): Promise<void> {
  let record;
  try {
    record = decodeRecord(bytes);
  } catch (e) {
    return void w.out.findings.push({ kind: "record", id: `leaf ${index}`, problem: (e as Error).message });
  }
  if (record.type !== "evidence.added" || typeof record.digest !== "string") return;
  await checkContents(deps, Buffer.from(record.digest.slice(7), "hex"), index, w.out, w.counts);
}

/** Every node the recomputed tree completed must be the stored one: proofs are built from those. */
async function checkNodes(deps: QuickDeps, w: Walk, nodes: readonly StoredNode[]): Promise<void> {
  if (nodes.length === 0) return;
  const stored = await deps.log.readNodes(nodes).catch(() => null);
  w.counts.nodes += nodes.length;
  nodes.forEach((n, i) => {
    const s = stored?.[i];
    if (s === undefined || !equalBytes(s, n.hash))
      w.out.findings.push({
        kind: "node",
        id: `node ${n.level}/${n.index}`,
        problem: s === undefined ? "stored node is missing" : "stored node differs from the recomputed tree",
      });
  });
}

function checkRootAt(w: Walk, anchors: readonly StoredCheckpoint[], size: number): void {
  const root = frontierRoot(w.frontier);
  for (const a of anchors.filter((x) => x.size === size))
    if (root === null || !equalBytes(root, a.root))
      w.out.findings.push({
        kind: "anchor",
        id: `anchor ${a.seq}`,
        problem: `root does not match the tree recomputed from the leaves at size ${size}`,
      });
}
