import { isHashB64 } from "../journal/inclusion-batch.js";
import {
  arrayField,
  asObject,
  b64,
  constField,
  hashField,
  hashListField,
  intField,
  PackJsonError,
  parseObject,
  stringField,
} from "./json-fields.js";
import { CHAIN } from "./pack-layout.js";

/** proofs/<leaf>.json: the RFC 6962 s2.1.1 audit path of one record in the checkpoint's tree. */
export interface ProofFile {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: Buffer;
  readonly proof: readonly Buffer[];
}

/** One earlier anchor and the RFC 6962 s2.1.2 consistency proof from it to the pack's checkpoint. */
export interface ChainLink {
  readonly seq: number;
  readonly size: number;
  readonly root: Buffer;
  readonly note: string;
  readonly proof: readonly Buffer[];
}

/** chain.json: every earlier anchor of the chain, linked to the pack's checkpoint. */
export interface ChainFile {
  readonly treeSize: number;
  readonly links: readonly ChainLink[];
}

export function proofJson(p: ProofFile): unknown {
  return {
    v: 1,
    type: "inclusion",
    leafIndex: p.leafIndex,
    treeSize: p.treeSize,
    leafHash: b64(p.leafHash),
    proof: p.proof.map(b64),
  };
}

/** Throws PackJsonError naming the field when the file has the wrong shape. */
export function parseProofFile(bytes: Uint8Array, where: string): ProofFile {
  const o = parseObject(bytes, ["v", "type", "leafIndex", "treeSize", "leafHash", "proof"], where);
  constField(o, "v", 1, where);
  constField(o, "type", "inclusion", where);
  return {
    leafIndex: intField(o, "leafIndex", where),
    treeSize: intField(o, "treeSize", where, 1),
    leafHash: hashField(o, "leafHash", where),
    proof: hashListField(o, "proof", where),
  };
}

/** proofs/<leaf>.json with the audit path left as base64 text, decoded only where hashed (InclusionBatch). */
export interface ProofText {
  readonly leafIndex: number;
  readonly treeSize: number;
  readonly leafHash: string;
  readonly proof: readonly string[];
}

/** Like parseProofFile, but the siblings are checked as they are used (InclusionBatch reports a bad one). */
export function parseProofText(bytes: Uint8Array, where: string): ProofText {
  const o = parseObject(bytes, ["v", "type", "leafIndex", "treeSize", "leafHash", "proof"], where);
  constField(o, "v", 1, where);
  constField(o, "type", "inclusion", where);
  const proof = o.proof;
  if (!Array.isArray(proof) || proof.length > 64)
    throw new PackJsonError(`${where}: proof must be a list of at most 64 hashes`);
  if (!isHashB64(o.leafHash)) throw new PackJsonError(`${where}: leafHash must be a base64 SHA-256 hash`);
  return {
    leafIndex: intField(o, "leafIndex", where),
    treeSize: intField(o, "treeSize", where, 1),
    leafHash: o.leafHash,
    proof: proof as string[],
  };
}

export function chainJson(c: ChainFile): unknown {
  return {
    v: 1,
    treeSize: c.treeSize,
    links: c.links.map((l) => ({
      seq: l.seq,
      size: l.size,
      root: b64(l.root),
      note: l.note,
      proof: l.proof.map(b64),
    })),
  };
}

export function parseChain(bytes: Uint8Array): ChainFile {
  const o = parseObject(bytes, ["v", "treeSize", "links"], CHAIN);
  constField(o, "v", 1, CHAIN);
  return {
    treeSize: intField(o, "treeSize", CHAIN, 1),
    links: arrayField(o, "links", CHAIN).map((value, i) => {
      const where = `${CHAIN} links[${i}]`;
      const l = asObject(value, ["seq", "size", "root", "note", "proof"], where);
      return {
        seq: intField(l, "seq", where, 1),
        size: intField(l, "size", where, 1),
        root: hashField(l, "root", where),
        note: stringField(l, "note", where),
        proof: hashListField(l, "proof", where),
      };
    }),
  };
}
