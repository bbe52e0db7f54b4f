/**
 * C2SP tlog-checkpoint bodies: origin, decimal size, base64 root, extension lines.
 * Source: test/fixtures/tlog/checkpoint-parse-vectors.json, transcribed from
 * transparency-dev/formats @ 0b850f1a (log/checkpoint_test.go: TestMarshal,
 * TestUnmarshalLogState); the Go sumdb tree note from signed-note-vectors.json,
 * golang/mod @ fe2ec04f (sumdb/tlog/note_test.go, TestFormatTree). See SOURCES.md.
 * Those vectors use short placeholder "hashes" such as "bananas", hence
 * parseCheckpoint(text, null) where they are used.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  CheckpointFormatError,
  formatCheckpoint,
  leafHash,
  parseCheckpoint,
} from "../../src/journal/index.js";
import { loadJson } from "./fixtures.js";

interface Vectors {
  marshal: { origin: string; size: number; hashUtf8: string; want: string }[];
  unmarshal: {
    desc: string;
    m: string;
    wantErr: boolean;
    origin?: string;
    size?: number;
    hashUtf8?: string;
    rest?: string;
  }[];
}

interface SumdbNote {
  goSumdbTreeNote: { text: string; size: number; hashIsRecordHashOf: string };
}

const fx = loadJson<Vectors>("checkpoint-parse-vectors.json");
const sumdb = loadJson<SumdbNote>("signed-note-vectors.json").goSumdbTreeNote;

void test("the fixture holds both marshal cases and all 12 unmarshal cases", () => {
  assert.equal(fx.marshal.length, 2);
  assert.equal(fx.unmarshal.length, 12);
});

for (const v of fx.marshal) {
  void test(`formatCheckpoint: ${v.origin} / ${v.size}`, () => {
    const root = Buffer.from(v.hashUtf8, "utf8");
    assert.equal(formatCheckpoint({ origin: v.origin, size: v.size, root, rest: "" }), v.want);
  });
}

for (const v of fx.unmarshal) {
  void test(`parseCheckpoint: ${v.desc}`, () => {
    if (v.wantErr) {
      assert.throws(() => parseCheckpoint(v.m, null), CheckpointFormatError);
      return;
    }
    const cp = parseCheckpoint(v.m, null);
    assert.equal(cp.origin, v.origin);
    assert.equal(cp.size, v.size);
    assert.equal(Buffer.from(cp.root).toString("utf8"), v.hashUtf8);
    assert.equal(cp.rest, v.rest);
    // The body is reproduced byte for byte, extension lines included.
    assert.equal(formatCheckpoint(cp), v.m);
  });
}

void test("with the default hash size, a 7-byte root is rejected and a 32-byte one accepted", () => {
  assert.throws(() => parseCheckpoint("Log\n123\nYmFuYW5hcw==\n"), /7 bytes, expected 32/);
  const root = Buffer.alloc(32, 0xab);
  const text = formatCheckpoint({ origin: "Log", size: 123, root, rest: "ext\n" });
  assert.deepEqual(parseCheckpoint(text), { origin: "Log", size: 123, root, rest: "ext\n" });
  assert.throws(() =>
    parseCheckpoint(formatCheckpoint({ origin: "Log", size: 1, root: Buffer.alloc(33), rest: "" })),
  );
});

void test("the Go sumdb tree note body parses, and its root is RecordHash('hello world')", () => {
  const cp = parseCheckpoint(sumdb.text);
  assert.equal(cp.origin, "go.sum database tree");
  assert.equal(cp.size, sumdb.size);
  assert.deepEqual(cp.root, leafHash(Buffer.from(sumdb.hashIsRecordHashOf)));
});

void test("hostile bodies are rejected", () => {
  const root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  const bad = [
    `Log\n0123\n${root}\n`, // leading zero
    `Log\n+1\n${root}\n`,
    `Log\n1.0\n${root}\n`,
    `Log\n 1\n${root}\n`,
    `Log\n9007199254740992\n${root}\n`, // 2^53: not a safe integer
    `Log\n1\n${root.slice(0, -1)}\n`, // unpadded base64
    `Log\n1\n${root} \n`,
    `Log\n1\n${root.replace("U=", "V=")}\n`, // non-zero padding bits: a second spelling of the same root
    `Log\n1\n\n`,
    `1\n${root}\n`, // origin line missing altogether
    "",
  ];
  for (const text of bad)
    assert.throws(() => parseCheckpoint(text), CheckpointFormatError, JSON.stringify(text));
  assert.equal(parseCheckpoint(`Log\n9007199254740991\n${root}\n`).size, 2 ** 53 - 1);
});

void test("formatCheckpoint refuses bodies it could not parse back", () => {
  const root = Buffer.alloc(32);
  const bad = [
    { origin: "", size: 1, root, rest: "" },
    { origin: "two\nlines", size: 1, root, rest: "" },
    { origin: "Log", size: -1, root, rest: "" },
    { origin: "Log", size: 1.5, root, rest: "" },
    { origin: "Log", size: 1, root, rest: "no newline" },
  ];
  for (const cp of bad) assert.throws(() => formatCheckpoint(cp), CheckpointFormatError, JSON.stringify(cp));
});
