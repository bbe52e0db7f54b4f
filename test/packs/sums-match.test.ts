/**
 * sumsMatch, the fast path of SHA256SUMS checking: verification skips the
 * parse and the per-line checks only when the file is byte for byte what
 * the pack's files make it. Property: whenever it says so, the strict path
 * (parseSums, then checkSums) finds nothing; and for an exported pack's
 * SHA256SUMS (files in sorted order, formatSums) it does say so, so the
 * fast path is the one exports take. SHA256SUMS variants come from small
 * edits of the exact file: reordered, a hash or path changed, a line
 * dropped, repeated or added, a byte flipped.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import fc from "fast-check";
import { Findings } from "../../src/packs/findings.js";
import type { PackManifest } from "../../src/packs/manifest.js";
import type { PackFile } from "../../src/packs/pack-files.js";
import { SUMS } from "../../src/packs/pack-layout.js";
import { formatSums, parseSums, type SumLine } from "../../src/packs/sha256sums.js";
import { checkSums, Owners, sumsMatch } from "../../src/packs/verify-sums.js";

const hex64 = fc.string({ unit: fc.constantFrom(..."0123456789abcdef"), minLength: 64, maxLength: 64 });
const layoutName = fc.oneof(
  fc.nat(99_999).map((n) => `records/${n}.json`),
  fc.nat(99_999).map((n) => `proofs/${n}.json`),
  hex64.map((h) => `contents/${h}`),
  fc.constantFrom("manifest.json", "checkpoint", "chain.json", "verifier.key", "README.txt"),
);

/** Files in sorted order (as an export writes them), SHA256SUMS among them. */
const packFiles = fc
  .uniqueArray(fc.tuple(layoutName, hex64), { minLength: 1, maxLength: 30, selector: ([n]) => n })
  .map((xs) => {
    const files = new Map<string, PackFile>();
    for (const [name, sha256] of [...xs].sort(([a], [b]) => (a < b ? -1 : 1)))
      files.set(name, { size: 1, sha256, bytes: null });
    return files;
  });

type Edit = (lines: SumLine[], text: Buffer) => Buffer;
const asText = (lines: readonly SumLine[]) => Buffer.from(lines.map((l) => `${l.hex}  ${l.path}\n`).join(""));
const edits: fc.Arbitrary<Edit> = fc.oneof(
  fc.constant<Edit>((_, text) => text),
  fc
    .nat()
    .map<Edit>(
      (k) => (lines) => asText([...lines.slice(k % lines.length), ...lines.slice(0, k % lines.length)]),
    ),
  fc.tuple(fc.nat(), hex64).map<Edit>(
    ([k, h]) =>
      (lines) =>
        asText(lines.map((l, i) => (i === k % lines.length ? { ...l, hex: h } : l))),
  ),
  fc.tuple(fc.nat(), layoutName).map<Edit>(
    ([k, p]) =>
      (lines) =>
        asText(lines.map((l, i) => (i === k % lines.length ? { ...l, path: p } : l))),
  ),
  fc.nat().map<Edit>((k) => (lines) => asText(lines.filter((_, i) => i !== k % lines.length))),
  fc.nat().map<Edit>((k) => (lines) => asText([...lines, lines[k % lines.length] as SumLine])),
  fc.tuple(layoutName, hex64).map<Edit>(
    ([path, hex]) =>
      (lines) =>
        asText([...lines, { path, hex }]),
  ),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })).map<Edit>(([k, x]) => (_, text) => {
    const out = Buffer.from(text);
    if (out.length > 0) out[k % out.length] = (out[k % out.length] as number) ^ x;
    return out;
  }),
);

const NO_MANIFEST = { artifacts: [] } as unknown as PackManifest;

/** The strict path: parse, then check; "malformed" when the parse refuses the file. */
function strict(files: Map<string, PackFile>, bytes: Buffer): "malformed" | number {
  let lines: SumLine[];
  try {
    lines = parseSums(bytes, "pack");
  } catch {
    return "malformed";
  }
  const f = new Findings();
  checkSums(files, lines, new Owners(NO_MANIFEST), f);
  return f.list.length;
}

void test("sumsMatch holds only where the strict check finds nothing, and holds for an exported SHA256SUMS", () => {
  fc.assert(
    fc.property(packFiles, edits, (files, edit) => {
      const listed = [...files].map(([path, f]) => ({ path, hex: f.sha256 }));
      const exported = formatSums(listed);
      files.set(SUMS, { size: exported.length, sha256: "0".repeat(64), bytes: exported });
      assert.equal(sumsMatch(files, exported), true, "an exported SHA256SUMS takes the fast path");
      const bytes = edit(listed, exported);
      if (sumsMatch(files, bytes)) assert.equal(strict(files, bytes), 0, bytes.toString("latin1"));
      else assert.notDeepEqual(bytes, exported);
    }),
    { numRuns: 2000 },
  );
});
