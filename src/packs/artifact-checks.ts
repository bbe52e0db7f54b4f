import { leafHashB64 } from "../journal/hash.js";
import { decodeHashB64, type InclusionBatch } from "../journal/inclusion-batch.js";
import { verifyInclusion } from "../journal/proof-verify.js";
import type { Findings } from "./findings.js";
import { PackJsonError } from "./json-fields.js";
import type { ManifestArtifact } from "./manifest.js";
import { MANIFEST } from "./pack-layout.js";
import { parseProofText, type ProofText } from "./pack-proofs.js";

/** The record type packs carry (domains/evidence: evidence.added v1), named here so this module needs only journal/. */
const EVIDENCE_ADDED = "evidence.added";
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** What the contents check needs of contents/<hex>: its size and SHA-256 (lowercase hex). */
export interface ContentsFacts {
  readonly size: number;
  readonly sha256: string;
}

/**
 * One artifact's record, inclusion proof and contents (undefined or null:
 * missing from the pack). Pure, so it runs the same on the main thread and
 * in the artifact worker (artifact-worker.ts).
 */
export function checkItem(
  a: ManifestArtifact,
  record: Buffer | null | undefined,
  proof: Buffer | null | undefined,
  contents: ContentsFacts | undefined,
  batch: InclusionBatch | null,
  f: Findings,
): void {
  const rec = checkRecord(record, a, f);
  if (rec === null) return;
  checkProof(proof, a, rec.leaf, batch, f);
  checkContents(contents, a, rec, f);
}

interface RecordFacts {
  readonly digest: string;
  readonly size: number;
  /** The record's leaf hash, base64 (as proofs spell hashes). */
  readonly leaf: string;
}

/**
 * The record's fields. Its bytes are what the leaf hash (and so the signed
 * checkpoint) commits to; whether they are also RFC 8785 canonical is the
 * locker's invariant, checked by `vigil verify`, not needed to trust them here.
 */
function checkRecord(bytes: Buffer | null | undefined, a: ManifestArtifact, f: Findings): RecordFacts | null {
  if (bytes == null) return missing(a.record, a, f);
  let r: Record<string, unknown> | null = null;
  try {
    const v: unknown = JSON.parse(bytes.toString("utf8"));
    if (typeof v === "object" && v !== null && !Array.isArray(v)) r = v as Record<string, unknown>;
  } catch {
    // reported below
  }
  if (r === null) {
    f.add(a.record, a.id, "not a journal record (a JSON object)");
    return null;
  }
  if (
    r.type !== EVIDENCE_ADDED ||
    r.v !== 1 ||
    typeof r.digest !== "string" ||
    (r.digest !== a.id && !DIGEST.test(r.digest)) ||
    !Number.isSafeInteger(r.size)
  ) {
    f.add(a.record, a.id, `not an ${EVIDENCE_ADDED} v1 record`);
    return null;
  }
  const size = r.size as number;
  if (r.digest !== a.id) f.add(a.record, a.id, `the record is for ${r.digest}, not this artifact`);
  if (size !== a.size) f.add(MANIFEST, a.id, `says ${a.size} bytes, the record says ${size}`);
  return { digest: r.digest, size, leaf: leafHashB64(bytes) };
}

function checkProof(
  bytes: Buffer | null | undefined,
  a: ManifestArtifact,
  leaf: string,
  batch: InclusionBatch | null,
  f: Findings,
): void {
  if (bytes == null) return void missing(a.proof, a, f);
  let p: ProofText;
  try {
    p = parseProofText(bytes, a.proof);
  } catch (e) {
    if (!(e instanceof PackJsonError)) throw e;
    return f.add(a.proof, a.id, e.message);
  }
  if (p.leafIndex !== a.leafIndex)
    f.add(a.proof, a.id, `proves leaf ${p.leafIndex}, the manifest says ${a.leafIndex}`);
  if (batch === null) return;
  if (p.treeSize !== batch.size)
    f.add(a.proof, a.id, `is for tree size ${p.treeSize}, not the checkpoint's ${batch.size}`);
  const out = batch.verifyB64(a.leafIndex, leaf, p.proof);
  if (out.ok) return;
  if (out.malformed !== null)
    return f.add(a.proof, a.id, `${a.proof}: proof[${out.malformed}] must be a base64 SHA-256 hash`);
  // Blame the file that changed: a proof that still proves its own leaf hash means the record was altered.
  const claimed = decodeHashB64(p.leafHash) as Buffer;
  const path = p.proof.map(decodeHashB64);
  const whole = path.every((h) => h !== null) ? path : null;
  if (
    whole !== null &&
    p.leafHash !== leaf &&
    verifyInclusion(a.leafIndex, batch.size, claimed, whole, batch.root)
  )
    f.add(a.record, a.id, `leaf hash is not the one the checkpoint includes at leaf ${a.leafIndex}`);
  else
    f.add(
      a.proof,
      a.id,
      `inclusion proof of leaf ${a.leafIndex} does not verify against the checkpoint root`,
    );
}

function checkContents(
  file: ContentsFacts | undefined,
  a: ManifestArtifact,
  rec: RecordFacts,
  f: Findings,
): void {
  if (file === undefined) return void missing(a.contents, a, f);
  if (file.size !== rec.size) f.add(a.contents, a.id, `is ${file.size} bytes, the record says ${rec.size}`);
  if (`sha256:${file.sha256}` !== rec.digest)
    f.add(a.contents, a.id, `SHA-256 does not match the record's digest ${rec.digest}`);
}

function missing(path: string, a: ManifestArtifact, f: Findings): null {
  f.add(path, a.id, "missing from the pack");
  return null;
}
