/**
 * The expected answer of every route, for the access-matrix test: which
 * roles may use it (A admin, O operator, U auditor, P producer, V viewer),
 * its status when allowed, and what a token of another tenant gets (the
 * same 404 as a missing artifact, or the same status over its own data).
 * Written out by hand, not derived from roles.ts: a grant that changes
 * must change here too.
 */
import { randomBytes } from "node:crypto";
import type { InjectOptions } from "fastify";
import { BACKEND } from "./harness.js";

/** What a request builder may use: the own tenant's artifact, and a way to make fresh ones. */
export interface Fixture {
  /** An anchored artifact of the own tenant (alpha). */
  readonly id: string;
  /** A new artifact of the own tenant (alpha), optionally held. */
  fresh(held?: boolean): Promise<string>;
}

export interface Expectation {
  readonly roles: string;
  readonly ok: number | readonly number[];
  /** "404": another tenant's token is told the artifact does not exist; "same": it gets `ok`. */
  readonly foreign: "404" | "same";
  /** A request without a token is answered (public route). */
  readonly public?: true;
  /** The answer may name artifacts the caller asked for before (its own receipts): no leak check. */
  readonly echoes?: true;
  req(f: Fixture): Promise<InjectOptions> | InjectOptions;
}

const get = (url: string) => ({ method: "GET" as const, url });
const post = (url: string, payload: object = {}) => ({ method: "POST" as const, url, payload });
const READERS = "AOUV";

export const ACCESS_TABLE: Readonly<Record<string, Expectation>> = {
  "GET /healthz": { roles: "AOUPV", ok: 200, foreign: "same", public: true, req: () => get("/healthz") },
  "GET /readyz": { roles: "AOUPV", ok: 200, foreign: "same", public: true, req: () => get("/readyz") },
  "GET /metrics": { roles: "AOUPV", ok: 200, foreign: "same", public: true, req: () => get("/metrics") },
  "GET /openapi.json": {
    roles: "AOUPV",
    ok: 200,
    foreign: "same",
    public: true,
    req: () => get("/openapi.json"),
  },
  "GET /tlog/checkpoint": {
    roles: "AOUPV",
    ok: 200,
    foreign: "same",
    public: true,
    req: () => get("/tlog/checkpoint"),
  },
  "GET /tlog/tile/*": {
    roles: "AOUPV",
    ok: 200,
    foreign: "same",
    public: true,
    req: () => get("/tlog/tile/0/000.p/1"),
  },
  // Entry bundles hold every tenant's records: no tenant-scoped token may read them, whatever its role.
  "GET /tlog/tile/entries/*": {
    roles: "",
    ok: 200,
    foreign: "same",
    req: () => get("/tlog/tile/entries/000.p/1"),
  },
  "POST /v1/evidence": {
    roles: "AOP",
    ok: 201,
    foreign: "same",
    req: () => ({
      method: "POST",
      url: "/v1/evidence?domain=mx&name=one",
      payload: randomBytes(64),
      headers: { "content-type": "application/octet-stream" },
    }),
  },
  "POST /v1/evidence/batch": {
    roles: "AOP",
    ok: 200,
    foreign: "same",
    req: () =>
      post("/v1/evidence/batch", {
        items: [{ data: randomBytes(32).toString("base64"), domain: "mx", name: "b" }],
      }),
  },
  "GET /v1/evidence": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/evidence?domain=mx") },
  "GET /v1/evidence/:id": { roles: "AOU", ok: 200, foreign: "404", req: (f) => get(`/v1/evidence/${f.id}`) },
  "GET /v1/evidence/:id/meta": {
    roles: READERS,
    ok: 200,
    foreign: "404",
    req: (f) => get(`/v1/evidence/${f.id}/meta`),
  },
  "GET /v1/evidence/:id/provenance": {
    roles: READERS,
    ok: 200,
    foreign: "404",
    req: (f) => get(`/v1/evidence/${f.id}/provenance`),
  },
  "GET /v1/evidence/:id/proof": {
    roles: READERS,
    ok: 200,
    foreign: "404",
    req: (f) => get(`/v1/evidence/${f.id}/proof`),
  },
  "POST /v1/evidence/:id/hold": {
    roles: "AO",
    ok: 200,
    foreign: "404",
    req: async (f) => post(`/v1/evidence/${await f.fresh()}/hold`, { reason: "matrix" }),
  },
  "POST /v1/evidence/:id/release": {
    roles: "AO",
    ok: 200,
    foreign: "404",
    req: async (f) => post(`/v1/evidence/${await f.fresh(true)}/release`, { reason: "matrix" }),
  },
  "POST /v1/evidence/:id/mark-corrupted": {
    roles: "AO",
    ok: 200,
    foreign: "404",
    req: async (f) => post(`/v1/evidence/${await f.fresh()}/mark-corrupted`, { reason: "matrix" }),
  },
  "GET /v1/anchors": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/anchors") },
  "GET /v1/anchors/latest": {
    roles: READERS,
    ok: 200,
    foreign: "same",
    req: () => get("/v1/anchors/latest"),
  },
  "GET /v1/anchors/:seq": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/anchors/1") },
  "GET /v1/anchors/:seq/note": {
    roles: READERS,
    ok: 200,
    foreign: "same",
    req: () => get("/v1/anchors/1/note"),
  },
  "POST /v1/anchors": { roles: "AO", ok: [200, 201], foreign: "same", req: () => post("/v1/anchors") },
  "GET /v1/proofs/consistency": {
    roles: READERS,
    ok: 200,
    foreign: "same",
    req: () => get("/v1/proofs/consistency?from=1&to=2"),
  },
  "POST /v1/verify": { roles: "AO", ok: 200, foreign: "same", req: () => post("/v1/verify", { sample: 2 }) },
  "GET /v1/verify/reports": {
    roles: READERS,
    ok: 200,
    foreign: "same",
    req: () => get("/v1/verify/reports"),
  },
  "GET /v1/verify/reports/latest": {
    roles: READERS,
    ok: 200,
    foreign: "same",
    req: () => get("/v1/verify/reports/latest"),
  },
  "GET /v1/status": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/status") },
  "GET /v1/storage/stats": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/storage/stats") },
  "GET /v1/index/status": { roles: READERS, ok: 200, foreign: "same", req: () => get("/v1/index/status") },
  "POST /v1/packs": { roles: "AOU", ok: 200, foreign: "404", req: (f) => post("/v1/packs", { ids: [f.id] }) },
  "GET /v1/backups": { roles: "AO", ok: 200, foreign: "same", req: () => get("/v1/backups") },
  // Online backups copy vigil.db: a PostgreSQL locker answers 501 UNSUPPORTED (after the same access check).
  "POST /v1/backups": {
    roles: "A",
    ok: BACKEND === "postgres" ? 501 : 201,
    foreign: "same",
    req: () => post("/v1/backups"),
  },
  "GET /v1/audit/receipts": {
    roles: "AU",
    ok: 200,
    foreign: "same",
    echoes: true,
    req: () => get("/v1/audit/receipts?since=2000-01-01T00:00:00Z"),
  },
};
