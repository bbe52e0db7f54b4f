import { stat } from "node:fs/promises";
import { sameKey, trustThroughRotations } from "../journal/key-rotation.js";
import { parseVerifierKey } from "../journal/keys.js";
import type { Verifier } from "../journal/signer.js";
import { VigilError } from "../errors.js";
import { Findings, type PackFinding } from "./findings.js";
import { b64, PackJsonError } from "./json-fields.js";
import { manifestOf } from "./early-parse.js";
import type { PackFiles, PackLimits } from "./pack-files.js";
import { readPack } from "./read-pack.js";
import { parseKeys } from "./pack-keys.js";
import { CHAIN, CHECKPOINT, KEYS, MANIFEST, SUMS, VERIFIER_KEY } from "./pack-layout.js";
import { ArtifactHelper } from "./artifact-helper.js";
import { checkArtifacts } from "./verify-artifacts.js";
import { parseSums } from "./sha256sums.js";
import { checkSums, checkUnreferenced, Owners, sumsMatch } from "./verify-sums.js";
import { checkChain, checkPackCheckpoint, checkSince, type SinceResult } from "./verify-checkpoint.js";

export interface VerifyPackOptions {
  /** The pack's name, for malformed-pack messages. */
  readonly where: string;
  /** The verifier key the user trusts (C2SP "<name>+<id>+<base64>"); the pack's own key never replaces it. */
  readonly trustedKey: string;
  /** A checkpoint the user already trusts, which the pack's must extend. */
  readonly since?: { readonly name: string; readonly note: string } | null;
  /** A second thread to check part of a large pack's artifacts on (verifyPackFile starts one). */
  readonly helper?: ArtifactHelper | null;
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
export async function verifyPack(files: PackFiles, opts: VerifyPackOptions): Promise<PackReport> {
  const pack = parseStructure(files, opts.where);
  const f = new Findings();
  const trusted = trustedKeys(parseTrustedKey(opts.trustedKey), files, f);
  const owners = new Owners(pack.manifest);
  checkSums(files, pack.sums, owners, f);
  if (!isTrusted(pack.packKey, trusted)) f.key(`${VERIFIER_KEY} in the pack is not the trusted key`);
  const cp = checkPackCheckpoint(pack.note, pack.manifest, trusted, f);
  const referenced = await checkArtifacts(files, pack.manifest, cp, f, opts.helper ?? null);
  checkUnreferenced(files, referenced, owners, f);
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

/** A .tar.gz this small holds fewer artifacts than SHARED_FROM: 1 KiB artifacts make ~1.4 KiB of archive each. */
const HELPED_FROM_BYTES = 1 << 20;

/** A directory, or an archive large enough to hold SHARED_FROM artifacts (a size unknown here is read as large). */
async function worthHelping(input: string): Promise<boolean> {
  try {
    const st = await stat(input);
    return st.isDirectory() || st.size >= HELPED_FROM_BYTES;
  } catch {
    return false; // readPack reports it
  }
}

/**
 * Reads and verifies a pack (a directory or a .tar.gz). For a large pack a
 * helper thread starts first, so it is ready when the read ends.
 */
export async function verifyPackFile(
  input: string,
  opts: Omit<VerifyPackOptions, "helper" | "where">,
  limits?: PackLimits,
): Promise<PackReport> {
  const helper = (await worthHelping(input)) ? ArtifactHelper.shared() : null;
  return verifyPack(await readPack(input, limits, helper), { ...opts, where: input, helper });
}

/** The files every pack must have, parsed; a pack without them is malformed (exit 5). */
function parseStructure(files: PackFiles, where: string) {
  const sumsBytes = required(files, SUMS, where);
  // null: SHA256SUMS is exactly what the files make it, so it parses and every line holds.
  const sums = sumsMatch(files, sumsBytes) ? null : parseSums(sumsBytes, where);
  const manifest = manifestOf(required(files, MANIFEST, where), where);
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

/** The trusted key, and every key its rotation statements in keys.json lead to. */
function trustedKeys(trusted: Verifier, files: PackFiles, f: Findings): Verifier[] {
  const bytes = files.get(KEYS)?.bytes;
  if (bytes === undefined || bytes === null) return [trusted];
  try {
    return trustThroughRotations(trusted, parseKeys(bytes));
  } catch (e) {
    if (!(e instanceof PackJsonError)) throw e;
    f.add(KEYS, null, e.message);
    return [trusted];
  }
}

function isTrusted(packKey: string, trusted: readonly Verifier[]): boolean {
  try {
    const k = parseVerifierKey(packKey);
    return trusted.some((t) => sameKey(t, k));
  } catch {
    return false;
  }
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
