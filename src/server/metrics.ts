import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";

/** The server's Prometheus metrics (stella-evidence-locker-runbook: metrics and alerts). */
export interface Metrics {
  readonly registry: Registry;
  readonly httpRequests: Counter<"route" | "status">;
  readonly retrievalLatency: Histogram;
  readonly verifyFailures: Counter;
  readonly uploads: Counter<"status">;
}

/**
 * Gauges read the locker when scraped (collect), so they are never stale:
 * artifacts, stored bytes, journal size, anchor age.
 */
export interface GaugeSources {
  artifacts(): Promise<number>;
  storageBytes(): Promise<number>;
  journalSize(): Promise<number>;
  /** Seconds since the latest anchor; null when there is none. */
  anchorAgeSeconds(): Promise<number | null>;
}

export function createMetrics(src: GaugeSources): Metrics {
  const registry = new Registry();
  // process_resident_memory_bytes, nodejs_heap_size_used_bytes, event-loop lag, GC: read when scraped.
  collectDefaultMetrics({ register: registry });
  const gauge = (name: string, help: string, read: () => Promise<number | null>) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = await read();
        if (v !== null) this.set(v);
      },
    });
  gauge("vigil_evidence_artifacts_total", "Artifacts in the evidence index (every tenant)", () =>
    src.artifacts(),
  );
  gauge("vigil_evidence_storage_bytes", "Bytes of evidence contents stored", () => src.storageBytes());
  gauge("vigil_journal_size", "Entries in the journal (Merkle tree size)", () => src.journalSize());
  gauge("vigil_anchor_age_seconds", "Seconds since the latest signed checkpoint", () =>
    src.anchorAgeSeconds(),
  );
  return {
    registry,
    httpRequests: new Counter({
      name: "vigil_http_requests_total",
      help: "HTTP requests answered, by route pattern and status",
      labelNames: ["route", "status"],
      registers: [registry],
    }),
    retrievalLatency: new Histogram({
      name: "vigil_evidence_retrieval_latency_seconds",
      help: "Time to answer an evidence contents request, receipt included",
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    verifyFailures: new Counter({
      name: "vigil_verify_failures_total",
      help: "Verification runs (quick or full) that found a problem",
      registers: [registry],
    }),
    uploads: new Counter({
      name: "vigil_evidence_uploads_total",
      help: "Artifacts submitted, by outcome (added, exists, conflict, missing-parent)",
      labelNames: ["status"],
      registers: [registry],
    }),
  };
}
