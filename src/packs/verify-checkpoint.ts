import { parseCheckpoint, type Checkpoint } from "../journal/checkpoint.js";
import { equalBytes } from "../journal/hash.js";
import { parseNote } from "../journal/note.js";
import { verifyConsistency } from "../journal/proof-verify.js";
import type { Verifier } from "../journal/signer.js";
import { VigilError } from "../errors.js";
import type { Findings } from "./findings.js";
import { PackJsonError } from "./json-fields.js";
import type { PackManifest } from "./manifest.js";
import { CHAIN, CHECKPOINT, MANIFEST } from "./pack-layout.js";
import { parseChain, type ChainFile } from "./pack-proofs.js";

export type Opened =
  | { readonly ok: true; readonly cp: Checkpoint }
  | { readonly ok: false; readonly unsigned: boolean; readonly problem: string };

/**
 * Opens a C2SP signed checkpoint with the trusted keys only: the user's, and
 * those its rotation statements lead to (keys.json). Signatures by other keys
 * are ignored (signed-note), so a pack cannot vouch for itself: its own
 * verifier.key plays no part here.
 */
export function openTrusted(note: string, keys: readonly Verifier[]): Opened {
  let parsed;
  try {
    parsed = parseNote(note);
  } catch (e) {
    return { ok: false, unsigned: false, problem: `not a signed note (${(e as Error).message})` };
  }
  const trusted = keys.find((k) => parsed.signatures.some((s) => s.name === k.name && s.keyId === k.keyId));
  const sigs = parsed.signatures.filter((s) => s.name === trusted?.name && s.keyId === trusted.keyId);
  if (trusted === undefined)
    return { ok: false, unsigned: true, problem: `not signed by the trusted key ${keys[0]?.name ?? ""}` };
  const msg = Buffer.from(parsed.text, "utf8");
  if (!sigs.every((s) => trusted.verify(msg, s.signature)))
    return {
      ok: false,
      unsigned: false,
      problem: `signature by the trusted key ${trusted.name} does not verify`,
    };
  try {
    return { ok: true, cp: parseCheckpoint(parsed.text) };
  } catch (e) {
    return {
      ok: false,
      unsigned: false,
      problem: `signed text is not a checkpoint (${(e as Error).message})`,
    };
  }
}

/** The pack's checkpoint, when signed by the trusted key; null otherwise (with the reason recorded). */
export function checkPackCheckpoint(
  note: string,
  manifest: PackManifest,
  trusted: readonly Verifier[],
  f: Findings,
): Checkpoint | null {
  const opened = openTrusted(note, trusted);
  if (!opened.ok) {
    if (opened.unsigned) f.key(`${CHECKPOINT} is ${opened.problem}`);
    else f.add(CHECKPOINT, null, opened.problem);
    return null;
  }
  const { cp } = opened;
  const m = manifest.checkpoint;
  if (cp.origin !== manifest.origin)
    f.add(MANIFEST, null, `origin ${manifest.origin} is not the signed checkpoint's ${cp.origin}`);
  if (cp.size !== m.size || !equalBytes(cp.root, m.root))
    f.add(
      MANIFEST,
      null,
      `checkpoint (size ${m.size}) disagrees with the signed checkpoint (size ${cp.size})`,
    );
  return cp;
}

/** chain.json: each earlier anchor signed by the trusted key and consistent with the checkpoint. */
export function checkChain(
  bytes: Buffer,
  cp: Checkpoint | null,
  trusted: readonly Verifier[],
  f: Findings,
): ChainFile | null {
  let chain: ChainFile;
  try {
    chain = parseChain(bytes);
  } catch (e) {
    if (!(e instanceof PackJsonError)) throw e;
    f.add(CHAIN, null, e.message);
    return null;
  }
  if (cp === null) return chain;
  if (chain.treeSize !== cp.size)
    f.add(CHAIN, null, `treeSize ${chain.treeSize} is not the checkpoint's ${cp.size}`);
  for (const l of chain.links) {
    const what = `anchor ${l.seq} (size ${l.size})`;
    if (!verifyConsistency(l.size, cp.size, l.root, cp.root, l.proof))
      f.add(CHAIN, null, `${what} is not consistent with the checkpoint`);
    const opened = openTrusted(l.note, trusted);
    if (!opened.ok) f.add(CHAIN, null, `${what}: ${opened.problem}`);
    else if (
      opened.cp.size !== l.size ||
      !equalBytes(opened.cp.root, l.root) ||
      opened.cp.origin !== cp.origin
    )
      f.add(CHAIN, null, `${what}: its signed note says something else`);
  }
  return chain;
}

export interface SinceResult {
  readonly size: number | null;
  readonly consistent: boolean;
}

/** --since-checkpoint: a checkpoint the verifier already trusts must be a prefix of the pack's. */
export function checkSince(
  since: { readonly name: string; readonly note: string },
  cp: Checkpoint | null,
  chain: ChainFile | null,
  trusted: readonly Verifier[],
  f: Findings,
): SinceResult {
  try {
    parseNote(since.note);
  } catch (e) {
    throw new VigilError("INPUT_INVALID", `${since.name}: not a signed checkpoint (${(e as Error).message})`);
  }
  const opened = openTrusted(since.note, trusted);
  if (!opened.ok) {
    if (opened.unsigned) f.key(`${since.name} is ${opened.problem}`);
    else f.add(since.name, null, opened.problem);
    return { size: null, consistent: false };
  }
  const old = opened.cp;
  const consistent = f.clean(() => linkSince(since.name, old, cp, chain, f));
  return { size: old.size, consistent };
}

function linkSince(
  name: string,
  old: Checkpoint,
  cp: Checkpoint | null,
  chain: ChainFile | null,
  f: Findings,
): void {
  if (cp === null) return f.add(name, null, "cannot be checked: the pack's checkpoint is not trusted");
  if (old.origin !== cp.origin)
    return f.add(name, null, `origin ${old.origin} is not the pack's ${cp.origin}`);
  if (old.size > cp.size)
    return f.add(name, null, `size ${old.size} is newer than the pack's checkpoint (size ${cp.size})`);
  if (old.size === cp.size) {
    if (!equalBytes(old.root, cp.root))
      f.add(
        name,
        null,
        `same size ${old.size} as the pack's checkpoint but a different root: the log forked`,
      );
    return;
  }
  const link = chain?.links.find((l) => l.size === old.size);
  if (link === undefined) return f.add(name, null, `${CHAIN} has no consistency proof from size ${old.size}`);
  if (!verifyConsistency(old.size, cp.size, old.root, cp.root, link.proof))
    f.add(name, null, `not consistent with the pack's checkpoint: the log forked or a checkpoint is forged`);
}
