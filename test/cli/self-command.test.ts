/** How `vigil serve` names itself in the first-token hint: what the user's shell would run. */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { selfCommand, shellWord } from "../../src/cli/self-command.js";
import { BIN, useTempRoot } from "./cli-helpers.js";

const root = useTempRoot("self-command");

void test("shellWord: a POSIX shell reads back exactly the string, whatever it holds", () => {
  for (const s of ["plain/path-1.2", "my data", "it's", '$HOME `x` \\ "q"', "a\nb", "*?[]", ""]) {
    const echoed = execFileSync("sh", ["-c", `printf %s ${shellWord(s)}`], { encoding: "utf8" });
    assert.equal(echoed, s);
  }
  assert.equal(shellWord("/usr/bin/vigil"), "/usr/bin/vigil", "a plain path stays readable");
});

void test("selfCommand: `vigil` only when PATH's first vigil is this executable, else its absolute path", () => {
  const linked = join(root, "linked");
  mkdirSync(linked);
  symlinkSync(BIN, join(linked, "vigil"));
  const other = join(root, "other dir");
  mkdirSync(other);
  writeFileSync(join(other, "vigil"), "#!/bin/sh\n");
  assert.equal(selfCommand(BIN, `/nonexistent:${linked}`), "vigil");
  assert.equal(selfCommand(BIN, `${other}:${linked}`), shellWord(BIN), "another vigil comes first on PATH");
  assert.equal(selfCommand(BIN, undefined), shellWord(BIN));
  assert.equal(selfCommand(join(other, "vigil"), ""), `'${other}/vigil'`);
});
