/**
 * C2SP signed notes and their Ed25519 verifier / signer keys.
 * Source: test/fixtures/tlog/signed-note-vectors.json, transcribed from
 * golang/mod @ fe2ec04f (sumdb/note/note_test.go, example_test.go),
 * C2SP/C2SP @ 5ba5ee83 (signed-note.md, "Verifier keys" example) and
 * transparency-dev/tessera @ 1811ae1a (testdata/build_log.sh); see SOURCES.md.
 * All keys there are published TEST keys.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  computeKeyId,
  decodeBase64Strict,
  ed25519Signer,
  formatSignerKey,
  formatVerifierKey,
  isValidKeyName,
  KeyFormatError,
  MAX_SIGNATURES,
  NoteFormatError,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  signatureLine,
  signNote,
} from "../../src/journal/index.js";
import { loadJson } from "./fixtures.js";

interface NoteVector {
  id: string;
  vkey: string;
  skey?: string;
  skeySeedHex?: string;
  text: string;
  signedNote: string;
  expectValid: boolean;
  desc: string;
}

interface NoteVectors {
  vectors: NoteVector[];
  goMalformedNotes: { cases: string[] };
  tesseraTestLog: { vkey: string; skey: string; origin: string };
}

const fx = loadJson<NoteVectors>("signed-note-vectors.json");
const byId = (id: string): NoteVector => {
  const v = fx.vectors.find((x) => x.id === id);
  if (v === undefined) throw new Error(`no vector ${id}`);
  return v;
};
const peter = byId("go-peterneumann-single");
const enoch = byId("go-peter-and-enoch-verify-enoch");
const peterVerifier = parseVerifierKey(peter.vkey);

/** The parts of "<name>+<hex id>+<base64(0x01 || key)>" (also after "PRIVATE+KEY+"). */
function keyParts(text: string): { name: string; id: string; key: Buffer } {
  const [name = "", id = "", ...b64] = text.replace(/^PRIVATE\+KEY\+/, "").split("+");
  const raw = Buffer.from(b64.join("+"), "base64");
  assert.equal(raw[0], 0x01, "signature type byte is Ed25519");
  return { name, id, key: raw.subarray(1) };
}

for (const v of fx.vectors) {
  void test(`${v.id}: openNote ${v.expectValid ? "accepts" : "rejects"} (${v.desc})`, () => {
    const verifier = parseVerifierKey(v.vkey);
    if (!v.expectValid) {
      assert.throws(() => openNote(v.signedNote, [verifier]), NoteFormatError);
      return;
    }
    const opened = openNote(v.signedNote, [verifier]);
    assert.equal(opened.text, v.text);
    assert.deepEqual(
      opened.verified.map((s) => [s.name, s.keyId]),
      [[verifier.name, verifier.keyId]],
    );
  });
}

void test("signatures by keys the caller did not supply are returned as unverified", () => {
  const opened = openNote(byId("go-peter-and-enoch-verify-peter").signedNote, [peterVerifier]);
  assert.deepEqual(
    opened.unverified.map((s) => s.name),
    ["EnochRoot"],
  );
  const both = openNote(enoch.signedNote, [peterVerifier, parseVerifierKey(enoch.vkey)]);
  assert.equal(both.verified.length, 2);
  assert.equal(both.unverified.length, 0);
});

void test("signing the text with the published skey reproduces the signed note exactly", () => {
  assert.equal(signNote(peter.text, [parseSignerKey(peter.skey ?? "")]), peter.signedNote);
});

void test("EnochRoot is the all-zero seed, and Peter + Enoch reproduce the two-signature note", () => {
  const enochSigner = ed25519Signer("EnochRoot", Buffer.from(enoch.skeySeedHex ?? "", "hex"));
  assert.equal(formatVerifierKey("EnochRoot", enochSigner.publicKey), enoch.vkey);
  assert.equal(signNote(enoch.text, [parseSignerKey(peter.skey ?? ""), enochSigner]), enoch.signedNote);
});

const allVkeys = [...new Set([...fx.vectors.map((v) => v.vkey), fx.tesseraTestLog.vkey])];

for (const vkey of allVkeys) {
  void test(`vkey ${vkey.split("+")[0]}: parse, format round trip and key id`, () => {
    const { name, id, key } = keyParts(vkey);
    const verifier = parseVerifierKey(vkey);
    assert.equal(verifier.name, name);
    assert.equal(verifier.keyId, parseInt(id, 16));
    assert.equal(formatVerifierKey(name, key), vkey);
    // C2SP signed-note: key id = SHA-256(name || 0x0A || 0x01 || public key)[0:4], computed here directly.
    const h = createHash("sha256").update(name).update(Uint8Array.of(0x0a, 0x01)).update(key).digest();
    assert.equal(h.subarray(0, 4).toString("hex"), id);
    assert.equal(computeKeyId(name, key), h.readUInt32BE(0));
  });
}

for (const { vkey, skey } of [peter, fx.tesseraTestLog]) {
  void test(`skey ${vkey.split("+")[0]}: parse, format round trip, and it matches its vkey`, () => {
    const { name, key: seed } = keyParts(skey ?? "");
    const signer = parseSignerKey(skey ?? "");
    assert.equal(formatSignerKey(name, seed), skey);
    assert.equal(formatVerifierKey(signer.name, signer.publicKey), vkey);
    assert.equal(signer.keyId, parseVerifierKey(vkey).keyId);
  });
}

void test("the Tessera test log key is named after the log origin", () => {
  assert.equal(parseSignerKey(fx.tesseraTestLog.skey).name, fx.tesseraTestLog.origin);
});

void test("malformed verifier and signer keys are rejected", () => {
  const good = peter.vkey; // PeterNeumann+c74f20a3+ARpc...
  const bad = [
    good.replace("c74f20a3", "c74f20a4"), // id does not match
    good.replace("c74f20a3", "C74F20A3"), // ids are lowercase hex
    good.replace("c74f20a3", "c74f20a"), // 7 hex digits
    good.replace("+ARpc", "+AhpC"), // type byte 0x02 / different key
    good.replace("PeterNeumann", "Peter Neumann"),
    good.replace("PeterNeumann", ""),
    good.slice(0, -4), // truncated base64
    good + "=", // bad padding
    "PeterNeumann+c74f20a3",
  ];
  for (const k of bad) assert.throws(() => parseVerifierKey(k), KeyFormatError, k);
  assert.throws(() => parseSignerKey(peter.vkey), KeyFormatError);
  assert.throws(() => parseSignerKey((peter.skey ?? "").replace("c74f20a3", "00000000")), KeyFormatError);
});

for (const [i, note] of fx.goMalformedNotes.cases.entries()) {
  void test(`Go TestOpen bad message ${i} is rejected as malformed`, () => {
    assert.throws(() => openNote(note, [peterVerifier]), NoteFormatError);
  });
}

void test("more malformed notes: bad key name, bad encoding, lone surrogate, DEL, no verifier at all", () => {
  const sig = peter.signedNote.slice(peter.text.length + 1);
  const b64 = sig.slice(sig.lastIndexOf(" ") + 1, -1);
  // 68 bytes in base64 leave 2 unused bits before "="; setting them is a second spelling of the same bytes.
  const respelled = `${b64.slice(0, -2)}${String.fromCharCode(b64.charCodeAt(b64.length - 2) + 1)}=`;
  assert.deepEqual(Buffer.from(respelled, "base64"), Buffer.from(b64, "base64"));
  const cases: [string, RegExp][] = [
    [`${peter.text}\n${sig.replace("PeterNeumann", "Bad Name")}`, /malformed note/],
    [`${peter.text}\n${sig.replace("PeterNeumann", "Peter+Neumann")}`, /bad signature key name/],
    [`${peter.text}\n${sig.replace("\u2014 ", "- ")}`, /em dash/],
    [`${peter.text}\n${sig.replace(" x08go", " !x08go")}`, /bad signature encoding/],
    [`${peter.text}\n${sig.replace(b64, respelled)}`, /bad signature encoding/],
    [`${peter.text}\n${sig.replace(b64, "AAAA")}`, /bad signature encoding/],
    [`\ud800${peter.signedNote}`, /not valid UTF-8/],
    [`\u007f${peter.signedNote}`, /control character/],
  ];
  for (const [note, why] of cases) assert.throws(() => openNote(note, [peterVerifier]), why, note);
  assert.throws(() => openNote(peter.signedNote, []), /no verifiable signatures/);
});

void test("a signature of the wrong length by a known key is an invalid signature", () => {
  const sig = peter.signedNote.slice(peter.text.length + 1);
  const blob = Buffer.from(sig.slice(sig.lastIndexOf(" ") + 1, -1), "base64");
  for (const body of [blob.subarray(4, -1), Buffer.concat([blob.subarray(4), Buffer.of(0)])]) {
    const line = signatureLine("PeterNeumann", peterVerifier.keyId, body);
    assert.throws(
      () => openNote(`${peter.text}\n${line}`, [peterVerifier]),
      /invalid signature by PeterNeumann/,
    );
  }
});

void test("key names: non-empty, no Unicode spaces, no plus (C2SP signed-note)", () => {
  for (const name of ["PeterNeumann", "example.com/log/testdata", "\u00e9t\u00e9"])
    assert.ok(isValidKeyName(name), name);
  for (const name of ["", "a b", "a\tb", "a\u00a0b", "a\u2003b", "a+b", "\ud800"]) {
    assert.ok(!isValidKeyName(name), JSON.stringify(name));
  }
});

void test("decodeBase64Strict accepts only canonical padded standard base64", () => {
  assert.deepEqual(decodeBase64Strict("YQ=="), Buffer.from("a"));
  assert.deepEqual(decodeBase64Strict(""), Buffer.alloc(0));
  for (const bad of ["YR==", "YQ", "YQ=", "Y Q==", "YQ==\n", "_-8=", "YQ==YQ=="]) {
    assert.equal(decodeBase64Strict(bad), null, bad);
  }
});

void test("a note signed only by unknown keys is rejected, however many there are", () => {
  const unknown = ed25519Signer("Unknown", Buffer.alloc(32, 7));
  assert.throws(() => openNote(signNote(peter.text, [unknown, unknown]), [peterVerifier]), NoteFormatError);
});

void test("a known key with the wrong key id is treated as unknown, not as verified", () => {
  const sig = peter.signedNote.slice(peter.text.length + 1);
  const line = sig.match(/^\u2014 PeterNeumann (\S+)\n$/u)?.[1] ?? "";
  const blob = Buffer.from(line, "base64");
  const wrongId = signatureLine("PeterNeumann", (blob.readUInt32BE(0) ^ 1) >>> 0, blob.subarray(4));
  assert.throws(() => openNote(`${peter.text}\n${wrongId}`, [peterVerifier]), /no verifiable signatures/);
});

void test("up to MAX_SIGNATURES lines are read (C2SP: at least 16); one more is malformed", () => {
  const unknown = ed25519Signer("Unknown", Buffer.alloc(32, 7));
  const valid = peter.signedNote.slice(peter.text.length + 1);
  const filler = signatureLine(unknown.name, unknown.keyId, unknown.sign(Buffer.from(peter.text)));
  const withSigs = (n: number): string => `${peter.text}\n${filler.repeat(n - 1)}${valid}`;
  assert.ok(MAX_SIGNATURES >= 16);
  assert.equal(openNote(withSigs(17), [peterVerifier]).unverified.length, 16);
  assert.equal(openNote(withSigs(MAX_SIGNATURES), [peterVerifier]).verified.length, 1);
  assert.throws(() => openNote(withSigs(MAX_SIGNATURES + 1), [peterVerifier]), NoteFormatError);
});

void test("a repeated signature by the same key is reported once", () => {
  const sig = peter.signedNote.slice(peter.text.length + 1);
  const opened = openNote(`${peter.text}\n${sig}${sig}`, [peterVerifier]);
  assert.equal(opened.verified.length, 1);
});

void test("signNote refuses texts that openNote would reject", () => {
  const signer = parseSignerKey(peter.skey ?? "");
  for (const text of ["", "no newline", "tab\there\n", "lone \ud800\n"]) {
    assert.throws(() => signNote(text, [signer]), NoteFormatError, JSON.stringify(text));
  }
});
