import { randomBytes } from "node:crypto";
import { existsSync, renameSync, rmSync } from "node:fs";
import { dirname } from "node:path";
import {
  ed25519Verifier,
  encodeRecord,
  formatSignerKey,
  formatVerifierKey,
  keyRotated,
  sameKey,
  type Signer,
} from "../journal/index.js";
import { VigilError } from "../errors.js";
import { createAnchor } from "../log/anchors.js";
import { anchorContext } from "./anchor-views.js";
import { SERVER_STARTED, SERVER_STOPPED } from "../domains/access/access-record.js";
import { readRotations } from "../log/key-chain.js";
import { recordsOfType, type IndexedRecord } from "../log/scan-records.js";
import { loadSigner, nextKeyPaths, syncDir, writeDurable } from "./keys-file.js";
import { projectAll } from "./projection.js";
import type { LockerPorts } from "./open-locker.js";

export interface Rotation {
  readonly from: string;
  readonly to: string;
  /** Leaf of the key.rotated record. */
  readonly recordLeaf: number;
  /** The last anchor signed by the old key, covering the record. */
  readonly sealedBy: number;
  /** True when this call finished a rotation an earlier one left half done. */
  readonly resumed: boolean;
}

/**
 * `vigil key rotate`. Crash-safe order: (1) the new key is written beside the
 * old one (.next, fsync'd); (2) the key.rotated record, its statement signed
 * by both keys, is appended; (3) the old key signs one last anchor, covering
 * the record; (4) the new key is renamed over the old, whose private key is
 * then gone. A crash before (4) leaves .next: the locker refuses to sign until
 * `vigil key rotate` is run again, which finishes the same rotation.
 */
export async function rotateKey(v: LockerPorts): Promise<Rotation> {
  if (v.config.replicaOf !== undefined)
    throw new VigilError("UNSUPPORTED", "a replica holds no signing key; rotate the source's");
  const old = loadSigner(v.paths.signingKey);
  const next = nextKeyPaths(v.paths.signingKey, v.paths.verifierKey);
  const pending = existsSync(next.key) ? loadSigner(next.key) : null;
  const last = (await readRotations(v.log, await v.log.size())).at(-1);
  const recorded = pending !== null && last !== undefined && names(last.record.to, pending);
  if (!recorded) await assertNoServer(v);
  const signer = recorded ? pending : writeNextKey(v.config.origin, next);
  const recordLeaf = recorded ? last.index : await appendRotation(v, old, signer);
  const sealedBy = await seal(v, old, recordLeaf + 1);
  swapKeys(v.paths.signingKey, v.paths.verifierKey, next);
  return {
    from: formatVerifierKey(old.name, old.publicKey),
    to: formatVerifierKey(signer.name, signer.publicKey),
    recordLeaf,
    sealedBy,
    resumed: recorded,
  };
}

/**
 * The old key's last anchor, at exactly the size that ends with the record:
 * the key chain gives the old key sizes up to there and no further. A
 * resumed rotation whose seal was signed before the crash signs nothing.
 */
async function seal(v: LockerPorts, old: Signer, size: number): Promise<number> {
  const latest = await v.log.latestCheckpoint();
  if (latest !== null && latest.size >= size) return latest.seq;
  return (await createAnchor({ ...anchorContext(v), signer: old }, { atSize: size })).anchor.seq;
}

/**
 * A running server holds the signing key in memory and would go on signing
 * with the old one: rotation needs the latest server.started to have stopped.
 */
async function assertNoServer(v: LockerPorts): Promise<void> {
  let last: IndexedRecord | undefined;
  for await (const r of recordsOfType(v.log, [SERVER_STARTED, SERVER_STOPPED], 0, await v.log.size()))
    last = r;
  if (last?.record.type !== SERVER_STARTED) return;
  const { server, at } = last.record as { server?: unknown; at?: unknown };
  throw new VigilError(
    "CONFLICT",
    `server ${String(server)} started at ${String(at)} has not stopped; stop it before rotating the key (after a crash, start and stop it once)`,
  );
}

function names(to: unknown, s: Signer): boolean {
  return typeof to === "string" && to === formatVerifierKey(s.name, s.publicKey);
}

async function appendRotation(v: LockerPorts, old: Signer, next: Signer): Promise<number> {
  if (sameKey(ed25519Verifier(old.name, old.publicKey), ed25519Verifier(next.name, next.publicKey)))
    throw new VigilError("INTERNAL", "the new key equals the old one");
  const record = keyRotated(v.config.origin, old, next, v.clock.now());
  const r = await v.log.append([{ encoded: encodeRecord(record), record }], projectAll);
  return r.first;
}

/** A fresh key at .next (replacing an unrecorded one from a crashed attempt), durable before use. */
function writeNextKey(origin: string, next: { key: string; vkey: string }): Signer {
  rmSync(next.key, { force: true });
  rmSync(next.vkey, { force: true });
  const text = formatSignerKey(origin, randomBytes(32));
  writeDurable(next.key, `${text}\n`, 0o600);
  const signer = loadSigner(next.key);
  writeDurable(next.vkey, `${formatVerifierKey(signer.name, signer.publicKey)}\n`, 0o644);
  return signer;
}

/** Key first, then the published verifier key (finishVerifierSwap() completes a crash between the two). */
function swapKeys(signingKey: string, verifierKey: string, next: { key: string; vkey: string }): void {
  if (!existsSync(next.vkey)) {
    const s = loadSigner(next.key);
    writeDurable(next.vkey, `${formatVerifierKey(s.name, s.publicKey)}\n`, 0o644);
  }
  renameSync(next.key, signingKey);
  renameSync(next.vkey, verifierKey);
  syncDir(dirname(signingKey));
}
