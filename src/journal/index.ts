/** The journal: a pure RFC 6962 Merkle log core. Imports only node:crypto. */
export * from "./hash.js";
export * from "./jcs.js";
export * from "./ranges.js";
export * from "./proof-build.js";
export * from "./proof-verify.js";
export * from "./frontier.js";
export * from "./signer.js";
export * from "./keys.js";
export * from "./note.js";
export * from "./checkpoint.js";
export * from "./tiles.js";
export * from "./record.js";
export * from "./key-rotation.js";
export * from "./inclusion-batch.js";
export * from "./coalesce-reads.js";
