/** JSON schemas shared by routes (validation and the OpenAPI document). */
export const ARTIFACT_ID = { type: "string", pattern: "^(sha256:)?[0-9a-f]{64}$" } as const;

export const ID_PARAMS = {
  type: "object",
  required: ["id"],
  additionalProperties: false,
  properties: { id: ARTIFACT_ID },
} as const;

const SLUG = { type: "string", maxLength: 64 } as const;

/** Metadata fields as query parameters (uploads) or JSON members (batches). */
export const META_PROPERTIES = {
  domain: SLUG,
  subdomain: SLUG,
  name: SLUG,
  date: { type: "string", maxLength: 10 },
  kind: SLUG,
  retention: SLUG,
  producer: { type: "string", maxLength: 200 },
  ext: { type: "string", maxLength: 11 },
} as const;

export const UPLOAD_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    ...META_PROPERTIES,
    label: { type: "array", maxItems: 64, items: { type: "string", maxLength: 320 } },
    parent: { type: "array", maxItems: 256, items: ARTIFACT_ID },
  },
} as const;

export const LIST_QUERY = {
  type: "object",
  additionalProperties: false,
  properties: {
    domain: SLUG,
    subdomain: SLUG,
    kind: SLUG,
    from: { type: "string", maxLength: 10 },
    to: { type: "string", maxLength: 10 },
    label: { type: "array", maxItems: 64, items: { type: "string", maxLength: 320 } },
    limit: { type: "integer", minimum: 1, maximum: 10000, default: 100 },
  },
} as const;

export const REASON_BODY = {
  type: "object",
  required: ["reason"],
  additionalProperties: false,
  properties: { reason: { type: "string", minLength: 1, maxLength: 500 } },
} as const;

export const OUTCOME = {
  type: "object",
  properties: {
    id: ARTIFACT_ID,
    status: { enum: ["added", "exists", "conflict", "missing-parent"] },
    leafIndex: { type: ["integer", "null"] },
    path: { type: "string" },
    size: { type: "integer" },
    message: { type: "string" },
  },
} as const;

export const PROBLEM = {
  type: "object",
  required: ["type", "title", "status", "code", "detail"],
  properties: {
    type: { type: "string" },
    title: { type: "string" },
    status: { type: "integer" },
    code: { type: "string" },
    detail: { type: "string" },
  },
} as const;

export const SEQ_PARAMS = {
  type: "object",
  required: ["seq"],
  additionalProperties: false,
  properties: { seq: { type: "integer", minimum: 1 } },
} as const;

export const ANCHOR = {
  type: "object",
  required: ["seq", "size", "root", "createdAt", "note"],
  properties: {
    seq: { type: "integer" },
    size: { type: "integer" },
    root: { type: "string", description: "base64 RFC 6962 tree head" },
    createdAt: { type: "string" },
    note: { type: "string", description: "the C2SP signed note" },
    created: { type: "boolean" },
  },
} as const;

/** Base64 hashes of an RFC 6962 proof. */
export const PROOF = {
  type: "object",
  required: ["v", "type", "proof"],
  properties: {
    v: { const: 1 },
    type: { enum: ["inclusion", "consistency"] },
    proof: { type: "array", items: { type: "string" } },
  },
} as const;

/** A POST that takes no parameters: nothing, or an empty JSON object. */
export const NO_BODY = { type: "object", additionalProperties: false, properties: {} } as const;
