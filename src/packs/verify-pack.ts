import {
  decodeRecord,
  equalBytes,
  leafHash,
  parseVerifierKey,
  verifyInclusion,
  type Checkpoint,
  type Verifier,
} from "../journal/index.js";
import { VigilError } from "../errors.js";
import { Findings, type PackFinding } from "./findings.js";
import { b64, PackJsonError } from "./json-fields.js";
import { parseManifest, type ManifestArtifact, type PackManifest } from "./manifest.js";
import type { PackFile, PackFiles } from "./pack-files.js";
import {
  CHAIN,
  CHECKPOINT,
  contentsPath,
  MANIFEST,
  proofPath,
  recordPath,
  SUMS,
  VERIFIER_KEY,
} from "./pack-layout.js";
import { parseProofFile } from "./pack-proofs.js";
import { parseSums } from "./sha256sums.js";
import { checkChain, checkPackCheckpoint, checkSince, type SinceResult } from "./verify-checkpoint.js";

/** The record type packs carry (domains/evidence: evidence.added v1), named here so this module needs only journal/. */
const EVIDENCE_ADDED = "evidence.added";
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export interface VerifyPackOptions {
  /** The pack's name, for malformed-pack messages. */
  readonly where: string;
  /** The verifier key the user trusts (C2SP "<name>+<id>+<base64>"); the pack's own key never replaces it. */
  readonly trustedKey: string;
  /** A checkpoint the user already trusts, which the pack's must extend. */
  readonly since?: { readonly name: string; readonly note: string } | null;
}

/** The outcome of an offline verification (versioned: it is printed with --json). */
export interface PackReport {
  readonly v: 1;
  readonly ok: boolean;
  readonly origin: string;
  readonly checkpoint: { readonly seq: number; readonly size: number; readonly root: string };
  readonly artifacts: number;
  readonly files: number;
  readonly since: SinceResult | null;
  readonly findings: readonly PackFinding[];
  /** The checkpoint or pack key is not the trusted key's: exit 6, whatever else was found. */
  readonly keyProblems: readonly string[];
}

/**
 * Verifies a pack with no locker and no network: SHA256SUMS covers every
 * file exactly, each record's leaf hash is proven in the checkpoint signed by
 * the trusted key, each contents file matches its record, the manifest agrees
 * with the records, and (with `since`) the trusted older checkpoint is a
 * prefix of the pack's. Malformed packs throw INPUT_INVALID; problems found
 * are returned as findings.
 */
export function verifyPack(files: PackFiles, opts: VerifyPackOptions): PackReport {
  const trusted = parseTrustedKey(opts.trustedKey);
  const pack = parseStructure(files, opts.where);
  const f = new Findings();
  const owners = ownerMap(pack.manifest);
  checkSums(files, pack.sums, owners, f);
  if (pack.packKey !== opts.trustedKey.trim()) f.key(`${VERIFIER_KEY} in the pack is not the trusted key`);
  const cp = checkPackCheckpoint(pack.note, pack.manifest, trusted, f);
  checkArtifacts(files, pack.manifest, cp, f);
  checkUnreferenced(files, owners, f);
  const chain = checkChain(pack.chain, cp, trusted, f);
  const since = opts.since ? checkSince(opts.since, cp, chain, trusted, f) : null;
  const m = pack.manifest;
  return {
    v: 1,
    ok: f.list.length === 0 && f.keyProblems.length === 0,
    origin: m.origin,
    checkpoint: { seq: m.checkpoint.seq, size: m.checkpoint.size, root: b64(m.checkpoint.root) },
    artifacts: m.artifacts.length,
    files: files.size,
    since,
    findings: f.list,
    keyProblems: f.keyProblems,
  };
}

/** The files every pack must have, parsed; a pack without them is malformed (exit 5). */
function parseStructure(files: PackFiles, where: string) {
  const sums = parseSums(required(files, SUMS, where), where);
  const manifest = parseManifest(required(files, MANIFEST, where), where);
  // Each artifact has three files: a longer list is a lie that would only cost time to check.
  if (manifest.artifacts.length > files.size)
    throw new VigilError(
      "INPUT_INVALID",
      `${where}: ${MANIFEST} lists more artifacts than the pack has files`,
    );
  return {
    sums,
    manifest,
    note: required(files, CHECKPOINT, where).toString("utf8"),
    chain: required(files, CHAIN, where),
    packKey: required(files, VERIFIER_KEY, where).toString("utf8").trim(),
  };
}

export function parseTrustedKey(text: string): Verifier {
  try {
    return parseVerifierKey(text);
  } catch (e) {
    throw new VigilError("KEY_INVALID", `trusted key: ${(e as Error).message}`);
  }
}

function required(files: PackFiles, name: string, where: string): Buffer {
  const bytes = files.get(name)?.bytes;
  if (bytes === undefined || bytes === null)
    throw new VigilError("INPUT_INVALID", `${where}: missing ${name}`);
  return bytes;
}

/** Which artifact each listed file belongs to, for naming it in findings. */
function ownerMap(m: PackManifest): Map<string, string> {
  const owners = new Map<string, string>();
  for (const a of m.artifacts) for (const p of [a.record, a.contents, a.proof]) owners.set(p, a.id);
  return owners;
}

function checkSums(
  files: PackFiles,
  sums: readonly { path: string; hex: string }[],
  owners: ReadonlyMap<string, string>,
  f: Findings,
): void {
  const listed = new Set<string>();
  for (const { path, hex } of sums) {
    const owner = owners.get(path) ?? null;
    if (listed.has(path)) f.add(SUMS, owner, `lists ${path} more than once`);
    listed.add(path);
    const file = files.get(path);
    if (file === undefined) f.add(path, owner, `listed in ${SUMS} but missing from the pack`);
    else if (file.sha256 !== hex) f.add(path, owner, `SHA-256 does not match ${SUMS}`);
  }
  for (const path of files.keys())
    if (path !== SUMS && !listed.has(path)) f.add(path, owners.get(path) ?? null, `not covered by ${SUMS}`);
}

function checkUnreferenced(files: PackFiles, owners: ReadonlyMap<string, string>, f: Findings): void {
  for (const path of files.keys())
    if (/^(records|proofs|contents)\//.test(path) && !owners.has(path))
      f.add(path, null, `not part of any artifact in ${MANIFEST}`);
}

function checkArtifacts(files: PackFiles, m: PackManifest, cp: Checkpoint | null, f: Findings): void {
  const ids = new Set<string>();
  const leaves = new Set<number>();
  for (const a of m.artifacts) {
    if (ids.has(a.id) || leaves.has(a.leafIndex)) {
      f.add(MANIFEST, a.id, `lists leaf ${a.leafIndex} or this artifact twice`);
      continue;
    }
    ids.add(a.id);
    leaves.add(a.leafIndex);
    if (
      a.record !== recordPath(a.leafIndex) ||
      a.proof !== proofPath(a.leafIndex) ||
      a.contents !== contentsPath(a.id.slice(7))
    )
      f.add(MANIFEST, a.id, `file paths do not follow the pack layout for leaf ${a.leafIndex}`);
    const rec = checkRecord(files.get(a.record), a, f);
    if (rec === null) continue;
    checkProof(files.get(a.proof), a, rec.leaf, cp, f);
    checkContents(files.get(a.contents), a, rec, f);
  }
}

interface RecordFacts {
  readonly digest: string;
  readonly size: number;
  readonly leaf: Buffer;
}

function checkRecord(file: PackFile | undefined, a: ManifestArtifact, f: Findings): RecordFacts | null {
  if (file?.bytes == null) return missing(a.record, a, f);
  let r;
  try {
    r = decodeRecord(file.bytes);
  } catch (e) {
    f.add(a.record, a.id, `not a canonical journal record (${(e as Error).message})`);
    return null;
  }
  if (
    r.type !== EVIDENCE_ADDED ||
    r.v !== 1 ||
    typeof r.digest !== "string" ||
    !DIGEST.test(r.digest) ||
    !Number.isSafeInteger(r.size)
  ) {
    f.add(a.record, a.id, `not an ${EVIDENCE_ADDED} v1 record`);
    return null;
  }
  const size = r.size as number;
  if (r.digest !== a.id) f.add(a.record, a.id, `the record is for ${r.digest}, not this artifact`);
  if (size !== a.size) f.add(MANIFEST, a.id, `says ${a.size} bytes, the record says ${size}`);
  return { digest: r.digest, size, leaf: leafHash(file.bytes) };
}

function checkProof(
  file: PackFile | undefined,
  a: ManifestArtifact,
  leaf: Buffer,
  cp: Checkpoint | null,
  f: Findings,
): void {
  if (file?.bytes == null) return void missing(a.proof, a, f);
  let p;
  try {
    p = parseProofFile(file.bytes, a.proof);
  } catch (e) {
    if (!(e instanceof PackJsonError)) throw e;
    return f.add(a.proof, a.id, e.message);
  }
  if (p.leafIndex !== a.leafIndex)
    f.add(a.proof, a.id, `proves leaf ${p.leafIndex}, the manifest says ${a.leafIndex}`);
  if (cp === null) return;
  if (p.treeSize !== cp.size)
    f.add(a.proof, a.id, `is for tree size ${p.treeSize}, not the checkpoint's ${cp.size}`);
  if (verifyInclusion(a.leafIndex, cp.size, leaf, p.proof, cp.root)) return;
  // Blame the file that changed: a proof that still proves its own leaf hash means the record was altered.
  if (!equalBytes(p.leafHash, leaf) && verifyInclusion(a.leafIndex, cp.size, p.leafHash, p.proof, cp.root))
    f.add(a.record, a.id, `leaf hash is not the one the checkpoint includes at leaf ${a.leafIndex}`);
  else
    f.add(
      a.proof,
      a.id,
      `inclusion proof of leaf ${a.leafIndex} does not verify against the checkpoint root`,
    );
}

function checkContents(file: PackFile | undefined, a: ManifestArtifact, rec: RecordFacts, f: Findings): void {
  if (file === undefined) return void missing(a.contents, a, f);
  if (file.size !== rec.size) f.add(a.contents, a.id, `is ${file.size} bytes, the record says ${rec.size}`);
  if (`sha256:${file.sha256}` !== rec.digest)
    f.add(a.contents, a.id, `SHA-256 does not match the record's digest ${rec.digest}`);
}

function missing(path: string, a: ManifestArtifact, f: Findings): null {
  f.add(path, a.id, "missing from the pack");
  return null;
}
