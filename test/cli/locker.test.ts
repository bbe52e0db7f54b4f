/** End-to-end: init, locker discovery, key show, jcs, usage errors and the demo. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { test } from "node:test";
import { parseVerifierKey } from "../../src/journal/index.js";
import {
  expectError,
  expectJson,
  expectOk,
  newLocker,
  rfc6962Leaf,
  run,
  sha256,
  status,
  useTempRoot,
  vigil,
  vigilWithInput,
} from "./cli-helpers.js";

const root = useTempRoot("locker");

/** Every file under DIR: relative path -> sha256 and mode, to prove nothing changed. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = statSync(p);
      if (st.isDirectory()) {
        out.set(`${relative(dir, p)}/`, (st.mode & 0o7777).toString(8));
        walk(p);
      } else {
        out.set(
          relative(dir, p),
          `${(st.mode & 0o7777).toString(8)} ${sha256(readFileSync(p)).toString("hex")}`,
        );
      }
    }
  };
  walk(dir);
  return out;
}

interface InitJson {
  dataDir: string;
  format: string;
  v: number;
  lockerId: string;
  origin: string;
  inlineLimit: number;
}

void test("init creates vigil.json, vigil.db, blobs/ and a 0600 signing key", () => {
  const data = join(root, "fresh");
  const out = expectJson<InitJson>(vigil(data, "--json", "init"));
  assert.equal(out.dataDir, data);
  assert.match(out.lockerId, /^lck_[0-9a-f]{16}$/);
  assert.equal(out.origin, `vigil.local/${out.lockerId}`);

  const config = JSON.parse(readFileSync(join(data, "vigil.json"), "utf8")) as InitJson;
  assert.equal(config.format, "vigil-locker");
  assert.equal(config.v, 1);
  assert.equal(config.lockerId, out.lockerId);
  assert.equal(config.origin, out.origin);
  assert.equal(config.inlineLimit, 64 * 1024);

  const db = readFileSync(join(data, "vigil.db"));
  assert.equal(db.subarray(0, 16).toString("latin1"), "SQLite format 3\0");
  assert.ok(statSync(join(data, "blobs")).isDirectory());
  assert.ok(statSync(join(data, "blobs", "sha256")).isDirectory());

  const key = join(data, "keys", "signing.key");
  assert.equal(statSync(key).mode & 0o777, 0o600);
  assert.match(readFileSync(key, "utf8"), /^PRIVATE\+KEY\+/);
  assert.equal(statSync(join(data, "keys")).mode & 0o077, 0, "keys/ is private to the owner");

  const s = status(data);
  assert.equal(s.journalSize, 0);
  assert.equal(s.artifacts, 0);
  assert.equal(s.latestAnchor, null);
});

void test("init --origin sets the checkpoint origin; an origin with a space is invalid input", () => {
  const data = join(root, "origin");
  expectOk(vigil(data, "init", "--origin", "audit.example.com/locker-1"));
  assert.equal(status(data).latestAnchor, null);
  assert.match(expectOk(vigil(data, "key", "show")).stdout, /^audit\.example\.com\/locker-1\+[0-9a-f]{8}\+/);
  expectError(vigil(join(root, "bad-origin"), "init", "--origin", "has space"), 5, /origin/);
  assert.equal(existsSync(join(root, "bad-origin")), false, "a refused init leaves nothing behind");
});

void test("a second init refuses (exit 4) and leaves the first locker byte-identical", () => {
  const data = newLocker(root, "twice");
  writeFileSync(join(root, "twice-input.json"), '{"a":1}');
  expectOk(vigil(data, "evidence", "add", join(root, "twice-input.json"), "--domain", "d"));
  const before = snapshot(data);
  const siblings = readdirSync(root).sort();
  expectError(vigil(data, "init"), 4, /already exists/);
  assert.deepEqual(snapshot(data), before);
  assert.deepEqual(readdirSync(root).sort(), siblings, "no staging directory left behind");
  assert.equal(status(data).journalSize, 1);
});

void test("init into a non-empty directory that is not a locker refuses (exit 4) and touches nothing", () => {
  const dir = join(root, "occupied");
  mkdirSync(dir);
  writeFileSync(join(dir, "notes.txt"), "keep me\n");
  const before = snapshot(dir);
  expectError(vigil(dir, "init"), 4, /not empty/);
  assert.deepEqual(snapshot(dir), before);
  assert.deepEqual(readdirSync(dir), ["notes.txt"]);
});

void test("init onto an existing regular file refuses with exit 4 (it exists), not 7, and leaves it untouched", () => {
  const file = join(root, "a-file");
  writeFileSync(file, "precious\n");
  expectError(vigil(file, "init"), 4, /a-file/);
  assert.equal(readFileSync(file, "utf8"), "precious\n");
});

void test("commands on a missing locker exit 3 with a hint to run init", () => {
  const missing = join(root, "nowhere");
  for (const args of [["status"], ["evidence", "list"], ["key", "show"], ["anchor", "list"], ["verify"]]) {
    expectError(vigil(missing, ...args), 3, /no locker at .*\(run: vigil init --data /);
  }
  assert.equal(existsSync(missing), false, "looking for a locker must not create one");
});

void test("key show prints a verifier key that parseVerifierKey accepts", () => {
  const data = newLocker(root, "keys");
  const text = expectOk(vigil(data, "key", "show")).stdout;
  assert.match(text, /^[^\n]+\n$/);
  const verifier = parseVerifierKey(text);
  const config = JSON.parse(readFileSync(join(data, "vigil.json"), "utf8")) as InitJson;
  assert.equal(verifier.name, config.origin);
  assert.equal(text.trim(), readFileSync(join(data, "keys", "signing.vkey"), "utf8").trim());

  const j = expectJson<{ verifierKey: string; name: string; keyId: string }>(
    vigil(data, "--json", "key", "show"),
  );
  assert.equal(j.verifierKey, text.trim());
  assert.equal(j.name, config.origin);
  assert.equal(j.keyId, verifier.keyId.toString(16).padStart(8, "0"));
});

void test("jcs prints RFC 8785 canonical JSON: sorted keys, ECMAScript numbers, minimal escapes", () => {
  // RFC 8785 section 3.2.2 example, keys deliberately unsorted.
  const file = join(root, "jcs-numbers.json");
  writeFileSync(
    file,
    '{\n  "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",\n' +
      '  "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001, -0, 1e21, 100],\n' +
      '  "literals": [null, true, false],\n  "b": {"z": 1, "a": {"y": [], "x": {}}}\n}\n',
  );
  const out = expectOk(run(["jcs", file])).stdout;
  assert.equal(
    out,
    '{"b":{"a":{"x":{},"y":[]},"z":1},"literals":[null,true,false],' +
      '"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27,0,1e+21,100],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
  );

  // RFC 8785 section 3.2.3: keys sort by UTF-16 code units, integer-like keys included.
  const sorting =
    '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One",' +
    '"\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis","10":"Ten"}';
  const expected = [
    ["\r", "Carriage Return"],
    ["1", "One"],
    ["10", "Ten"],
    ["\u0080", "Control"],
    ["\u00f6", "Latin Small Letter O With Diaeresis"],
    ["\u20ac", "Euro Sign"],
    ["\ud83d\ude00", "Emoji: Grinning Face"],
    ["\ufb33", "Hebrew Letter Dalet With Dagesh"],
  ]
    .map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`)
    .join(",");
  assert.equal(expectOk(run(["jcs", "-"], { input: sorting })).stdout, `{${expected}}`);

  const j = expectJson<{ canonical: string; leafHash: string }>(run(["--json", "jcs", file]));
  assert.equal(j.canonical, out);
  assert.equal(j.leafHash, rfc6962Leaf(Buffer.from(out)).toString("hex"));
});

void test("jcs of malformed JSON (or a lone surrogate) exits 5 with one line", () => {
  const bad = join(root, "jcs-bad.json");
  writeFileSync(bad, '{"a": 1,, }\n');
  expectError(run(["jcs", bad]), 5, /jcs-bad\.json/);
  expectError(run(["jcs", "-"], { input: '{"a":"\\ud800"}' }), 5, /surrogate/);
  expectError(run(["jcs", "-"], { input: "" }), 5);
});

void test("jcs: a parse error that quotes input containing a newline is still one stderr line", () => {
  expectError(run(["jcs", "-"], { input: "not json\n" }), 5, /^vigil: error \[INPUT_INVALID\]: -: /);
});

void test("unknown commands, flags and missing arguments exit 2 with a one-line error", () => {
  const data = newLocker(root, "usage");
  expectError(vigil(data, "frobnicate"), 2, /unknown command 'frobnicate'/);
  expectError(vigil(data, "status", "--frobnicate"), 2, /unknown option '--frobnicate'/);
  expectError(vigil(data, "evidence", "list", "--nope"), 2, /unknown option '--nope'/);
  expectError(vigil(data, "evidence", "add"), 2, /missing required argument/);
  expectError(vigil(data, "verify", "--mode", "sideways"), 2, /--mode/);
  expectError(vigil(data, "evidence", "list", "--limit", "many"), 2, /--limit/);
  expectError(vigil(data, "status", "extra"), 2);
  assert.equal(expectOk(run(["--version"])).stdout.trim(), "0.1.0");
});

void test("demo with --data runs the tour, exits 0 and leaves a verifiable locker", () => {
  const data = join(root, "demo");
  const r = vigil(data, "--json", "demo");
  const out = expectJson<{ dataDir: string; verifierKey: string; result: string; steps: { step: string }[] }>(
    r,
  );
  assert.equal(out.dataDir, data);
  assert.equal(out.result, "passed");
  assert.deepEqual([...new Set(out.steps.map((s) => s.step))], ["init", "add", "anchor", "prove", "verify"]);
  assert.equal(expectOk(vigil(data, "key", "show")).stdout.trim(), out.verifierKey);
  const s = status(data);
  assert.ok(s.journalSize >= 3, `journal has ${s.journalSize} entries`);
  assert.equal(s.latestAnchor?.seq, 1);
  expectOk(vigil(data, "verify", "--mode", "full"));
  expectOk(vigil(data, "anchor", "verify", "--all"));
  const human = expectOk(vigilWithInput(join(root, "demo-human"), "", "demo"));
  assert.match(human.stdout, /verifier key: /);
});
