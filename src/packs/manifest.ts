import { VigilError } from "../errors.js";
import {
  arrayField,
  asObject,
  b64,
  constField,
  hashField,
  intField,
  PackJsonError,
  parseObject,
  stringField,
  type JsonObject,
} from "./json-fields.js";
import { MANIFEST, PACK_FORMAT, PACK_VERSION } from "./pack-layout.js";

/** One artifact of a pack: where its record, contents and inclusion proof are. */
export interface ManifestArtifact {
  readonly id: string;
  readonly leafIndex: number;
  readonly size: number;
  readonly record: string;
  readonly contents: string;
  readonly proof: string;
}

/** manifest.json, versioned: what the pack holds and the checkpoint every proof is against. */
export interface PackManifest {
  readonly format: typeof PACK_FORMAT;
  readonly v: typeof PACK_VERSION;
  readonly origin: string;
  readonly checkpoint: { readonly seq: number; readonly size: number; readonly root: Buffer };
  readonly artifacts: readonly ManifestArtifact[];
}

const ARTIFACT_ID = /^sha256:[0-9a-f]{64}$/;

/** The manifest's JSON form (root as base64), keys in a fixed order for byte-identical exports. */
export function manifestJson(m: PackManifest): unknown {
  return {
    format: m.format,
    v: m.v,
    origin: m.origin,
    checkpoint: { seq: m.checkpoint.seq, size: m.checkpoint.size, root: b64(m.checkpoint.root) },
    artifacts: m.artifacts.map((a) => ({
      id: a.id,
      leafIndex: a.leafIndex,
      size: a.size,
      record: a.record,
      contents: a.contents,
      proof: a.proof,
    })),
  };
}

/** Parses manifest.json; a manifest that cannot be read makes the whole pack malformed (exit 5). */
export function parseManifest(bytes: Uint8Array, where: string): PackManifest {
  try {
    const o = parseObject(bytes, ["format", "v", "origin", "checkpoint", "artifacts"], MANIFEST);
    constField(o, "format", PACK_FORMAT, MANIFEST);
    constField(o, "v", PACK_VERSION, MANIFEST);
    const cp = asObject(o.checkpoint, ["seq", "size", "root"], `${MANIFEST} checkpoint`);
    return {
      format: PACK_FORMAT,
      v: PACK_VERSION,
      origin: stringField(o, "origin", MANIFEST, /^[^\s+]+$/u),
      checkpoint: {
        seq: intField(cp, "seq", `${MANIFEST} checkpoint`, 1),
        size: intField(cp, "size", `${MANIFEST} checkpoint`, 1),
        root: hashField(cp, "root", `${MANIFEST} checkpoint`),
      },
      artifacts: arrayField(o, "artifacts", MANIFEST).map(
        (a, i) => wellFormed(a) ?? parseArtifact(a, `${MANIFEST} artifacts[${i}]`),
      ),
    };
  } catch (e) {
    if (e instanceof PackJsonError) throw new VigilError("INPUT_INVALID", `${where}: ${e.message}`);
    throw e;
  }
}

const ARTIFACT_KEYS = ["id", "leafIndex", "size", "record", "contents", "proof"] as const;

const isCount = (v: unknown): v is number => typeof v === "number" && Number.isSafeInteger(v) && v >= 0;

/**
 * The artifact when it has exactly the fields parseArtifact accepts, each as
 * it requires; else null, and parseArtifact says what is wrong. The same
 * checks without naming the entry (a manifest lists tens of thousands).
 */
function wellFormed(value: unknown): ManifestArtifact | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  if (Object.keys(o).length !== ARTIFACT_KEYS.length) return null;
  const { id, leafIndex, size, record, contents, proof } = o;
  if (typeof id !== "string" || !ARTIFACT_ID.test(id) || !isCount(leafIndex) || !isCount(size)) return null;
  if (typeof record !== "string" || typeof contents !== "string" || typeof proof !== "string") return null;
  return { id, leafIndex, size, record, contents, proof };
}

function parseArtifact(value: unknown, where: string): ManifestArtifact {
  const o: JsonObject = asObject(value, ARTIFACT_KEYS, where);
  return {
    id: stringField(o, "id", where, ARTIFACT_ID),
    leafIndex: intField(o, "leafIndex", where),
    size: intField(o, "size", where),
    record: stringField(o, "record", where),
    contents: stringField(o, "contents", where),
    proof: stringField(o, "proof", where),
  };
}
