// The helper thread (hashing during the read, checking part of the artifacts) must not change a report:
// tampered packs verified with a helper that shares every artifact, with a helper that has died, and on
// one thread give the same findings in the same order.
import assert from "node:assert/strict";
import { cpSync, readdirSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { ArtifactHelper } from "../../src/packs/artifact-helper.js";
import { readPack } from "../../src/packs/read-pack.js";
import { verifyPack, type PackReport } from "../../src/packs/verify-pack.js";
import { buildFixture, exportTo, removeRoot } from "./pack-fixtures.js";

const fx = await buildFixture("helper");
const helper = new ArtifactHelper(1);
const dead = new ArtifactHelper(1);
await dead.close();
after(async () => {
  await helper.close();
  await fx.v.close();
  removeRoot(fx.root);
});
const key = fx.v.verifierKey;
const dir = join(fx.root, "pack");
await exportTo(fx.v, { query: {} }, dir);

let copies = 0;
function tampered(edit: (d: string) => void): string {
  const d = join(fx.root, `copy-${copies++}`);
  cpSync(dir, d, { recursive: true });
  edit(d);
  return d;
}
const first = (d: string, sub: string): string =>
  join(d, sub, readdirSync(join(d, sub)).sort().at(-1) as string);
const flip = (path: string): void => {
  const b = readFileSync(path);
  b[b.length >> 1] = (b[b.length >> 1] as number) ^ 1;
  writeFileSync(path, b);
};

async function report(input: string, h: ArtifactHelper | null): Promise<PackReport | string> {
  try {
    return await verifyPack(await readPack(input, undefined, h), {
      where: input,
      trustedKey: key,
      helper: h,
    });
  } catch (e) {
    return (e as Error).message;
  }
}

void test("a helper that shares every artifact, a dead helper and one thread give the same report", async () => {
  const inputs = [
    dir,
    tampered((d) => flip(first(d, "contents"))),
    tampered((d) => flip(first(d, "records"))),
    tampered((d) => writeFileSync(first(d, "proofs"), "{}")),
    tampered((d) => unlinkSync(first(d, "records"))),
    tampered((d) => {
      const m = JSON.parse(readFileSync(join(d, "manifest.json"), "utf8")) as { artifacts: unknown[] };
      m.artifacts.push(m.artifacts[0]);
      writeFileSync(join(d, "manifest.json"), JSON.stringify(m));
    }),
  ];
  let findings = 0;
  for (const input of inputs) {
    const alone = await report(input, null);
    assert.deepEqual(await report(input, helper), alone, input);
    assert.deepEqual(await report(input, dead), alone, `${input}, dead helper`);
    if (typeof alone !== "string") findings += alone.findings.length;
  }
  assert.ok(findings >= inputs.length - 1, "every tampered pack has findings");
});
