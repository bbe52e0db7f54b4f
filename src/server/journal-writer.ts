import { randomBytes } from "node:crypto";
import { serverLifeItem, type AccessEvent } from "../domains/access/access-record.js";
import { receiptItems } from "../domains/access/receipts-record.js";
import {
  commitGroup,
  type AddOutcome,
  type Candidate,
  type EvidenceDeps,
} from "../domains/evidence/evidence-service.js";
import { isVigilError } from "../errors.js";
import { HttpError } from "./problem.js";

interface EvidenceJob {
  readonly candidates: readonly Candidate[];
  readonly access: (outcomes: readonly AddOutcome[]) => readonly AccessEvent[];
  resolve(o: AddOutcome[]): void;
  reject(e: unknown): void;
}

/** Most artifacts in one durable transaction: bounds the latency of a group. */
const MAX_GROUP = 4096;

/**
 * Commits of a group that lost a race: another process (a second server on
 * the same PostgreSQL database) committed one of its digests between our
 * classification and our append, and the unique (digest, tenant) key refused
 * the whole transaction. Reclassifying finds that artifact as "exists".
 */
const MAX_ATTEMPTS = 3;

/**
 * The server's one writer: every append goes through it. Uploads and access
 * receipts that arrive while a commit is running are committed together in
 * the next transaction (group commit), and nothing is acknowledged before
 * its transaction is durable. Receipts are numbered here, in commit order,
 * and a group's receipts are one access.receipts record per tenant.
 */
export class JournalWriter {
  readonly serverId = `srv_${Date.now().toString(36)}${randomBytes(4).toString("hex")}`;
  private queue: EvidenceJob[] = [];
  private running: Promise<void> | null = null;
  private seq = 0;
  private closed = false;
  private closing: Promise<void> | null = null;

  constructor(private readonly deps: EvidenceDeps) {}

  /** The number of receipts committed so far by this process. */
  get receipts(): number {
    return this.seq;
  }

  async start(): Promise<void> {
    await this.deps.log.append(
      [serverLifeItem("server.started", this.serverId, this.deps.clock.now())],
      this.deps.project,
    );
  }

  /** Commits artifacts with their receipts; resolves once durable. */
  addEvidence(
    candidates: readonly Candidate[],
    access: (outcomes: readonly AddOutcome[]) => readonly AccessEvent[],
  ): Promise<AddOutcome[]> {
    if (this.closed)
      return Promise.reject(
        new HttpError("SHUTTING_DOWN", "the server is shutting down", { "retry-after": "1" }),
      );
    return new Promise((resolve, reject) => {
      this.queue.push({ candidates, access, resolve, reject });
      this.kick();
    });
  }

  /** Commits one receipt; resolves once durable (a read is answered only after). */
  async recordAccess(event: AccessEvent): Promise<void> {
    await this.addEvidence([], () => [event]);
  }

  /** Finishes every queued write, then records the end of this process's receipts. */
  close(): Promise<void> {
    this.closed = true;
    this.closing ??= (async () => {
      while (this.running !== null) await this.running;
      await this.deps.log.append(
        [serverLifeItem("server.stopped", this.serverId, this.deps.clock.now(), this.seq)],
        this.deps.project,
      );
    })();
    return this.closing;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private kick(): void {
    if (this.running !== null) return;
    this.running = new Promise<void>((r) => setImmediate(r)).then(() => this.drain());
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.commit(this.takeGroup());
    } finally {
      this.running = null;
    }
  }

  private takeGroup(): EvidenceJob[] {
    let n = 0;
    let i = 0;
    while (
      i < this.queue.length &&
      (i === 0 || n + (this.queue[i] as EvidenceJob).candidates.length <= MAX_GROUP)
    ) {
      n += (this.queue[i] as EvidenceJob).candidates.length;
      i++;
    }
    return this.queue.splice(0, i);
  }

  private async commit(jobs: readonly EvidenceJob[]): Promise<void> {
    try {
      const outcomes = await this.commitOnce(jobs, 1);
      let at = 0;
      for (const j of jobs) {
        j.resolve(outcomes.slice(at, at + j.candidates.length));
        at += j.candidates.length;
      }
    } catch (e) {
      for (const j of jobs) j.reject(e);
    }
  }

  private async commitOnce(jobs: readonly EvidenceJob[], attempt: number): Promise<AddOutcome[]> {
    const before = this.seq;
    try {
      const all = jobs.flatMap((j) => j.candidates);
      return (await commitGroup(this.deps, all, (out) => this.receiptsFor(jobs, out))).outcomes;
    } catch (e) {
      this.seq = before; // nothing of the group was committed, numbers included
      if (attempt < MAX_ATTEMPTS && isVigilError(e) && e.code === "CONFLICT")
        return this.commitOnce(jobs, attempt + 1);
      throw e;
    }
  }

  private receiptsFor(jobs: readonly EvidenceJob[], outcomes: readonly AddOutcome[]) {
    const events: AccessEvent[] = [];
    let at = 0;
    for (const j of jobs) {
      events.push(...j.access(outcomes.slice(at, at + j.candidates.length)));
      at += j.candidates.length;
    }
    if (events.length === 0) return [];
    const items = receiptItems(events, this.serverId, this.seq + 1);
    this.seq += events.length;
    return items;
  }
}
