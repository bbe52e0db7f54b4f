/** Export: selection (ids, query, deps), the layout, determinism, GNU tar and sha256sum compatibility. */
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  decodeRecord,
  leafHash,
  openNote,
  parseCheckpoint,
  parseVerifierKey,
  verifyInclusion,
} from "../../src/journal/index.js";
import { projectAll } from "../../src/app/projection.js";
import { markCorrupted } from "../../src/domains/evidence/lifecycle.js";
import { isVigilError } from "../../src/errors.js";
import {
  addArtifact,
  anchor,
  buildFixture,
  exportTo,
  gnuExtract,
  readText,
  removeRoot,
  sh,
  sha256hex,
  snapshot,
} from "./pack-fixtures.js";

const fx = await buildFixture("export");
after(async () => {
  await fx.v.close();
  removeRoot(fx.root);
});
const out = (name: string) => join(fx.root, name);

interface Manifest {
  format: string;
  v: number;
  origin: string;
  checkpoint: { seq: number; size: number; root: string };
  artifacts: {
    id: string;
    leafIndex: number;
    size: number;
    record: string;
    contents: string;
    proof: string;
  }[];
}

function manifestAt(dir: string): Manifest {
  return JSON.parse(readText(join(dir, "manifest.json"))) as Manifest;
}

const idsOf = (m: Manifest) => m.artifacts.map((a) => a.id).sort();

void test("export --id writes the full layout; each record, proof and contents checks against the signed checkpoint", async () => {
  const dir = out("by-id");
  const r = await exportTo(fx.v, { ids: [fx.ids.report as string, fx.ids.large as string] }, dir);
  assert.equal(r.format, "dir");
  assert.equal(r.sha256, null);
  const m = manifestAt(dir);
  assert.equal(m.format, "vigil-evidence-pack");
  assert.equal(m.v, 1);
  assert.equal(m.origin, fx.v.config.origin);
  assert.deepEqual(idsOf(m), [fx.ids.report, fx.ids.large].sort());
  const verifier = parseVerifierKey(readText(join(dir, "verifier.key")));
  assert.equal(readText(join(dir, "verifier.key")).trim(), fx.v.verifierKey);
  const cp = parseCheckpoint(openNote(readText(join(dir, "checkpoint")), [verifier]).text);
  assert.equal(cp.size, m.checkpoint.size);
  assert.equal(Buffer.from(cp.root).toString("base64"), m.checkpoint.root);
  for (const a of m.artifacts) {
    const record = readFileSync(join(dir, a.record));
    const [entry] = await fx.v.log.readEntries(a.leafIndex, a.leafIndex + 1);
    assert.deepEqual(record, entry?.bytes, "record bytes are the journal's exact bytes");
    const rec = decodeRecord(record);
    assert.equal(rec.digest, a.id);
    const contents = readFileSync(join(dir, a.contents));
    assert.equal(`sha256:${sha256hex(contents)}`, a.id);
    assert.equal(contents.length, a.size);
    const proof = JSON.parse(readText(join(dir, a.proof))) as { proof: string[] };
    const hashes = proof.proof.map((p) => Buffer.from(p, "base64"));
    assert.ok(verifyInclusion(a.leafIndex, cp.size, leafHash(record), hashes, cp.root));
  }
  const files = snapshot(dir).map((l) => l.split(" ")[0]);
  for (const f of ["README.txt", "SHA256SUMS", "chain.json", "checkpoint", "manifest.json", "verifier.key"])
    assert.ok(files.includes(f), f);
  assert.match(readText(join(dir, "README.txt")), /vigil verify --offline --input PACK --trusted-key/);
  assert.match(readText(join(dir, "README.txt")), /sha256sum -c SHA256SUMS/);
});

void test("export --query selects with the evidence list filters; --include-deps adds provenance parents recursively", async () => {
  const q = out("by-query");
  await exportTo(fx.v, { query: { domain: "security", labels: { team: "red" } } }, q);
  assert.deepEqual(idsOf(manifestAt(q)), [fx.ids.report]);
  const deps = out("with-deps");
  await exportTo(fx.v, { query: { kind: "report" } }, deps, true);
  assert.deepEqual(idsOf(manifestAt(deps)), [fx.ids.base, fx.ids.derived, fx.ids.report].sort());
  const ops = out("ops");
  await exportTo(fx.v, { query: { domain: "ops" } }, ops);
  assert.deepEqual(idsOf(manifestAt(ops)), [fx.ids.other, fx.ids.large].sort());
  const leaves = manifestAt(deps).artifacts.map((a) => a.leafIndex);
  assert.deepEqual(
    leaves,
    [...leaves].sort((a, b) => a - b),
    "artifacts are in leaf order",
  );
});

void test("chain.json links the first anchor to the pack's checkpoint", async () => {
  const dir = out("chain");
  await exportTo(fx.v, { ids: [fx.ids.base as string] }, dir);
  const chain = JSON.parse(readText(join(dir, "chain.json"))) as {
    treeSize: number;
    links: { seq: number; note: string }[];
  };
  assert.equal(chain.links.length, 1);
  assert.equal(chain.links[0]?.seq, 1);
  assert.equal(chain.links[0]?.note, fx.firstAnchor);
  assert.equal(chain.treeSize, manifestAt(dir).checkpoint.size);
});

void test("two exports are byte-identical, as .tar.gz and as a directory", async () => {
  const sel = { ids: [fx.ids.report as string, fx.ids.large as string] };
  const [a, b] = [out("same-a.tar.gz"), out("same-b.tar.gz")];
  const ra = await exportTo(fx.v, sel, a, true);
  await new Promise((r) => setTimeout(r, 1100)); // a second later: no wall-clock time may leak in
  const rb = await exportTo(fx.v, sel, b, true);
  assert.deepEqual(readFileSync(a), readFileSync(b));
  assert.equal(ra.sha256, sha256hex(readFileSync(a)));
  assert.equal(rb.sha256, ra.sha256);
  const [da, db] = [out("same-a"), out("same-b")];
  await exportTo(fx.v, sel, da, true);
  await exportTo(fx.v, sel, db, true);
  assert.deepEqual(snapshot(da), snapshot(db));
  for (const line of snapshot(da)) {
    const p = line.split(" ")[0] as string;
    if (!line.endsWith(" dir")) assert.deepEqual(readFileSync(join(da, p)), readFileSync(join(db, p)), p);
  }
});

void test("GNU tar lists sorted, ownerless 0644 entries, extracts the pack, and sha256sum -c SHA256SUMS passes", async () => {
  const tarball = out("gnu.tar.gz");
  await exportTo(fx.v, { query: {} }, tarball);
  const listing = sh("tar", ["-tzvf", tarball, "--numeric-owner"]);
  assert.equal(listing.status, 0, listing.out);
  const lines = listing.out.trim().split("\n");
  const names = lines.map((l) => l.split(/\s+/).at(-1) as string);
  assert.deepEqual(names, [...names].sort());
  for (const l of lines) assert.match(l, /^-rw-r--r-- 0\/0 /, l);
  const into = out("gnu-x");
  mkdirSync(into);
  gnuExtract(tarball, into);
  const check = sh("sha256sum", ["-c", "--strict", "SHA256SUMS"], into);
  assert.equal(check.status, 0, check.out);
  const listed = readText(join(into, "SHA256SUMS")).trim().split("\n");
  assert.equal(listed.length, names.length - 1, "SHA256SUMS covers every other file");
  assert.ok(listed.every((l) => /^[0-9a-f]{64} {2}\S+$/.test(l)));
  assert.deepEqual(readdirSync(join(into, "contents")).length, 5);
});

void test("an artifact not yet anchored fails the export, telling the user to run vigil anchor create", async () => {
  const late = await addArtifact(fx.v, Buffer.from("late\n"), { domain: "ops", name: "late" });
  const target = out("late.tar.gz");
  await assert.rejects(exportTo(fx.v, { ids: [late] }, target), (e: unknown) => {
    assert.ok(isVigilError(e) && e.code === "CONFLICT");
    assert.match(e.message, /not yet anchored.*vigil anchor create/);
    assert.ok(e.message.includes(late));
    return true;
  });
  assert.ok(!snapshot(fx.root).some((l) => l.startsWith("late") || l.startsWith(".late")), "nothing written");
});

void test("missing contents fail the export, naming the artifact, and leave nothing behind", async () => {
  const hex = (fx.ids.large as string).slice(7);
  const blob = join(fx.data, "blobs", "sha256", hex.slice(0, 2), hex.slice(2, 4), hex);
  const saved = readFileSync(blob);
  rmSync(blob);
  const before = snapshot(fx.root);
  try {
    await assert.rejects(
      exportTo(fx.v, { ids: [fx.ids.large as string, fx.ids.other as string] }, out("gone")),
      (e: unknown) => {
        assert.ok(isVigilError(e) && e.code === "NOT_FOUND");
        assert.match(e.message, /contents unavailable for 1 artifact\(s\): sha256:[0-9a-f]{64} \(missing\)/);
        assert.ok(e.message.includes(fx.ids.large as string));
        return true;
      },
    );
    assert.deepEqual(snapshot(fx.root), before);
  } finally {
    writeFileSync(blob, saved);
  }
});

void test("unknown ids, an empty query and an existing output directory are refused", async () => {
  const nope = `sha256:${"0".repeat(64)}`;
  await assert.rejects(exportTo(fx.v, { ids: [nope] }, out("nope")), /no artifact sha256:0000/);
  await assert.rejects(exportTo(fx.v, { query: { domain: "nothing" } }, out("empty")), /no artifacts match/);
  mkdirSync(out("exists"));
  await assert.rejects(exportTo(fx.v, { ids: [fx.ids.base as string] }, out("exists")), /already exists/);
  assert.deepEqual(readdirSync(out("exists")), []);
});

void test("an artifact marked corrupted is not packed (run last: it changes the fixture)", async () => {
  const deps = { log: fx.v.log, evidence: fx.v.evidence, clock: fx.v.clock, project: projectAll };
  await markCorrupted(
    deps,
    { digest: Buffer.from((fx.ids.other as string).slice(7), "hex"), tenant: "default" },
    "bit rot found by a drill",
  );
  await anchor(fx.v);
  await assert.rejects(exportTo(fx.v, { query: { domain: "ops" } }, out("corrupt")), (e: unknown) => {
    assert.ok(isVigilError(e) && e.code === "NOT_FOUND");
    assert.ok(e.message.includes(`${fx.ids.other} (marked corrupted)`), e.message);
    return true;
  });
});
