import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { encodeRecord } from "../../src/journal/index.js";
import {
  evidenceAdded,
  metaHash,
  metaHashFromCanonical,
  projectEvidence,
} from "../../src/domains/evidence/evidence-record.js";
import { canonicalPath, parseEvidenceMeta, type EvidenceMeta } from "../../src/domains/evidence/metadata.js";

const CLASSES = ["operational", "audit", "incident"];
const slug = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,20}$/);
const meta: fc.Arbitrary<EvidenceMeta> = fc.record({
  tenant: fc.oneof(fc.constant("default"), slug),
  domain: slug,
  subdomain: slug,
  name: slug,
  date: fc
    .date({ min: new Date("2000-01-01"), max: new Date("2099-12-31"), noInvalidDate: true })
    .map((d) => d.toISOString().slice(0, 10)),
  kind: slug,
  labels: fc.dictionary(
    fc.stringMatching(/^[a-z0-9][a-z0-9._/-]{0,10}$/),
    fc.string({ maxLength: 20 }).filter((s) => s.isWellFormed()),
  ),
  retention: fc.constantFrom(...CLASSES),
  producer: fc.option(
    fc
      .string({ minLength: 1, maxLength: 30 })
      .filter((s) => s.isWellFormed() && ![...s].some((c) => c.charCodeAt(0) < 0x20 || c === "\u007f")),
    { nil: null },
  ),
  parents: fc
    .uniqueArray(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => `sha256:${Buffer.from(b).toString("hex")}`),
      { maxLength: 3 },
    )
    .map((p) => p.sort()),
  ext: fc.constantFrom(".json", ".txt", ".pdf"),
});

void test("metaHashFromCanonical equals metaHash for any metadata and time (the addedAt-first shortcut is sound)", () => {
  fc.assert(
    fc.property(
      meta,
      fc.uint8Array({ minLength: 32, maxLength: 32 }),
      fc.nat(),
      fc.date({ noInvalidDate: true, min: new Date(0), max: new Date("2200-01-01") }),
      (m, d, size, at) => {
        const record = evidenceAdded(Buffer.from(d), size, m, at);
        const { bytes } = encodeRecord(record);
        assert.deepEqual(metaHashFromCanonical(bytes, record.addedAt), metaHash(record));
      },
    ),
    { numRuns: 300 },
  );
});

void test("metaHash ignores the time but not any metadata field", () => {
  const m = parseEvidenceMeta({ domain: "sec", name: "scan", date: "2026-01-02" }, "t", CLASSES);
  const d = Buffer.alloc(32, 7);
  const a = evidenceAdded(d, 10, m, new Date(1));
  assert.deepEqual(metaHash(a), metaHash(evidenceAdded(d, 10, m, new Date(2))));
  assert.notDeepEqual(metaHash(a), metaHash(evidenceAdded(d, 10, { ...m, kind: "other" }, new Date(1))));
  assert.notDeepEqual(metaHash(a), metaHash(evidenceAdded(d, 11, m, new Date(1))));
  assert.notDeepEqual(metaHash(a), metaHash(evidenceAdded(d, 10, { ...m, labels: { a: "b" } }, new Date(1))));
});

void test("a record names its tenant only outside the default tenant, and the tenant is part of its identity", () => {
  const m = parseEvidenceMeta({ domain: "sec", name: "scan", date: "2026-01-02" }, "t", CLASSES);
  const d = Buffer.alloc(32, 7);
  const plain = evidenceAdded(d, 10, m, new Date(1));
  assert.equal("tenant" in plain, false, "default-tenant records keep the pre-tenant bytes");
  const acme = evidenceAdded(d, 10, { ...m, tenant: "acme" }, new Date(1));
  assert.equal(acme.tenant, "acme");
  assert.notDeepEqual(metaHash(plain), metaHash(acme));
  const [op] = projectEvidence(acme, 3, encodeRecord(acme).bytes);
  assert.equal(op?.op === "evidence.put" ? op.row.tenant : null, "acme");
});

void test("the projection indexes the record's digest, leaf and filter fields", () => {
  const m = parseEvidenceMeta(
    {
      domain: "sec",
      subdomain: "access",
      name: "review",
      date: "2026-03-04",
      kind: "review",
      retention: "audit",
    },
    "t",
    CLASSES,
  );
  const record = evidenceAdded(Buffer.alloc(32, 1), 99, m, new Date(0));
  const [op] = projectEvidence(record, 41, encodeRecord(record).bytes);
  assert.equal(op?.op, "evidence.put");
  assert.deepEqual(
    { ...op?.row, metaHash: undefined },
    {
      digest: Buffer.alloc(32, 1),
      tenant: "default",
      leafIndex: 41,
      domain: "sec",
      subdomain: "access",
      kind: "review",
      date: "2026-03-04",
      size: 99,
      retention: "audit",
      metaHash: undefined,
    },
  );
  assert.deepEqual(projectEvidence({ type: "other.thing", v: 1 }, 0, Buffer.from("{}")), []);
});

void test("canonical path follows [domain]/[subdomain]/[name]_YYYYMMDD.ext", () => {
  const m = parseEvidenceMeta(
    { domain: "qfs", subdomain: "drills", name: "restore", date: "2026-11-23", ext: ".json" },
    "t",
    CLASSES,
  );
  assert.equal(canonicalPath(m), "qfs/drills/restore_20261123.json");
});
