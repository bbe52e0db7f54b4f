/**
 * The worker of an offline verification (artifact-helper.ts): hashes the
 * pack members it is sent and checks the artifacts of each share payload.
 * It reads nothing and writes nothing.
 */
import { parentPort } from "node:worker_threads";
import { checkShare, type SharePayload, type ShareResult } from "./artifact-share.js";
import { hashPieces } from "./batch-hasher.js";

export type HelperRequest =
  | { readonly id: number; readonly kind: "check"; readonly payload: SharePayload }
  | { readonly id: number; readonly kind: "hash"; readonly bytes: Uint8Array; readonly lengths: Int32Array };

export type HelperReply =
  | { readonly id: number; readonly ok: true; readonly kind: "check"; readonly result: ShareResult }
  | { readonly id: number; readonly ok: true; readonly kind: "hash"; readonly hex: string }
  | { readonly id: number; readonly ok: false; readonly error: string };

function answer(r: HelperRequest): HelperReply {
  try {
    return r.kind === "check"
      ? { id: r.id, ok: true, kind: "check", result: checkShare(r.payload) }
      : { id: r.id, ok: true, kind: "hash", hex: hashPieces(r.bytes, r.lengths) };
  } catch (e) {
    return { id: r.id, ok: false, error: (e as Error).message };
  }
}

parentPort?.on("message", (r: HelperRequest) => parentPort?.postMessage(answer(r)));
