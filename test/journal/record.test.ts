/**
 * Journal records: RFC 8785 canonical bytes, RFC 6962 leaf hash
 * SHA-256(0x00 || bytes), and the 65535-byte limit of a C2SP tlog-tiles
 * entry bundle (uint16 length prefix). No published vectors: the leaf hash is
 * checked against node:crypto directly, the canonical form by hand.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import fc from "fast-check";
import {
  canonicalBytes,
  CanonicalJsonError,
  decodeRecord,
  encodeRecord,
  MAX_RECORD_SIZE,
  RecordFormatError,
  type JournalRecord,
} from "../../src/journal/index.js";

const record: JournalRecord = {
  v: 1,
  type: "evidence.added",
  sha256: "ab",
  size: 2.5,
  tags: ["b", "a"],
  z: null,
};
const CANONICAL = '{"sha256":"ab","size":2.5,"tags":["b","a"],"type":"evidence.added","v":1,"z":null}';

/** A record whose canonical form is exactly `length` bytes. */
function recordOfLength(length: number): JournalRecord {
  const base = '{"pad":"","type":"a.b","v":1}'.length;
  return { type: "a.b", v: 1, pad: "x".repeat(length - base) };
}

void test("encodeRecord gives the RFC 8785 canonical bytes", () => {
  assert.equal(encodeRecord(record).bytes.toString("utf8"), CANONICAL);
  assert.equal(
    encodeRecord({ type: "a.b", v: 1, s: "é€" }).bytes.toString("hex"),
    Buffer.from('{"s":"é€","type":"a.b","v":1}').toString("hex"),
  );
});

void test("leafHash is SHA-256(0x00 || bytes), computed here with node:crypto", () => {
  const { bytes, leafHash } = encodeRecord(record);
  const want = createHash("sha256")
    .update(Buffer.concat([Buffer.of(0x00), Buffer.from(CANONICAL)]))
    .digest();
  assert.deepEqual(leafHash, want);
  assert.deepEqual(bytes, Buffer.from(CANONICAL));
});

void test("decodeRecord(encodeRecord(r).bytes) gives r back", () => {
  assert.deepEqual(decodeRecord(encodeRecord(record).bytes), record);
});

void test("non-canonical bytes are rejected", () => {
  const bad = [
    '{"type":"evidence.added","v":1,"sha256":"ab"}', // keys out of order
    '{ "sha256":"ab","type":"evidence.added","v":1}', // whitespace
    '{"sha256":"ab","type":"evidence.added","v":1}\n', // trailing newline
    '{"sha256":"\\u0061b","type":"evidence.added","v":1}', // needless escape
    '{"sha256":"ab","type":"evidence.added","v":1.0}', // 1.0 for 1
    '{"sha256":"ab","type":"evidence.added","v":1E0}',
    '{"sha256":"ab","sha256":"ab","type":"evidence.added","v":1}', // duplicate key
    '\ufeff{"type":"evidence.added","v":1}', // byte order mark
    '{"type":"evidence.added","v":1', // not JSON
  ];
  for (const text of bad) assert.throws(() => decodeRecord(Buffer.from(text)), RecordFormatError, text);
});

void test("bytes that are not valid UTF-8 are rejected, not decoded to U+FFFD", () => {
  const prefix = Buffer.from('{"s":"');
  const suffix = Buffer.from('","type":"a.b","v":1}');
  for (const junk of ["ff", "c0af", "eda080", "e282"]) {
    const bytes = Buffer.concat([prefix, Buffer.from(junk, "hex"), suffix]);
    assert.throws(() => decodeRecord(bytes), RecordFormatError, junk);
  }
});

void test("a record must be an object with a dotted lowercase type and a positive integer v", () => {
  const badType = [
    "",
    "evidence",
    "Evidence.added",
    "evidence..added",
    "evidence.added.",
    ".a.b",
    "a.1b",
    "a-b.c",
  ];
  for (const type of badType) assert.throws(() => encodeRecord({ type, v: 1 }), RecordFormatError, type);
  for (const v of [0, -1, 1.5, 2 ** 53, NaN])
    assert.throws(() => encodeRecord({ type: "a.b", v }), RecordFormatError, `${v}`);
  const loose = [{ v: 1 }, { type: "a.b" }, { type: 1, v: 1 }, { type: "a.b", v: "1" }];
  for (const r of loose) assert.throws(() => encodeRecord(r as unknown as JournalRecord), RecordFormatError);
  const texts = ["[]", "null", '"a.b"', "1", '{"type":"a.b","v":0}', '{"type":"A.b","v":1}'];
  for (const text of texts) assert.throws(() => decodeRecord(Buffer.from(text)), RecordFormatError, text);
});

void test("fields that JCS cannot represent are rejected", () => {
  assert.throws(() => encodeRecord({ type: "a.b", v: 1, at: new Date(0) }), CanonicalJsonError);
  assert.throws(() => encodeRecord({ type: "a.b", v: 1, n: Infinity }), CanonicalJsonError);
});

void test("records up to 65535 bytes are accepted; one byte more is rejected by encode and decode", () => {
  assert.equal(MAX_RECORD_SIZE, 65535);
  const max = encodeRecord(recordOfLength(MAX_RECORD_SIZE));
  assert.equal(max.bytes.length, MAX_RECORD_SIZE);
  assert.deepEqual(decodeRecord(max.bytes), recordOfLength(MAX_RECORD_SIZE));
  assert.throws(() => encodeRecord(recordOfLength(MAX_RECORD_SIZE + 1)), RecordFormatError);
  const over = canonicalBytes(recordOfLength(MAX_RECORD_SIZE + 1));
  assert.equal(over.length, MAX_RECORD_SIZE + 1);
  assert.throws(() => decodeRecord(over), RecordFormatError);
});

void test("property: decode accepts exactly what encode produces, and the leaf hash follows the bytes", () => {
  const fields = fc.dictionary(fc.string({ unit: "grapheme" }), fc.jsonValue({ maxDepth: 2 }), {
    maxKeys: 6,
  });
  const type = fc.stringMatching(/^[a-z][a-z0-9_]{0,6}\.[a-z][a-z0-9_]{0,6}$/);
  fc.assert(
    fc.property(fields, type, fc.integer({ min: 1, max: 1000 }), (f, t, v) => {
      const r = { ...f, type: t, v } as JournalRecord;
      const { bytes, leafHash } = encodeRecord(r);
      const back = decodeRecord(bytes);
      assert.deepEqual(encodeRecord(back).bytes, bytes);
      const want = createHash("sha256").update(Buffer.of(0)).update(bytes).digest();
      assert.deepEqual(leafHash, want);
    }),
    { numRuns: 200 },
  );
});
