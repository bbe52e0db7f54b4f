/**
 * The remote CLI: the evidence suites run again with every remote-capable
 * command also sent through --server to a served twin (same exit codes,
 * stdout and error codes: remote-twin.ts), and the commands that make no
 * sense remotely refuse --server.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, expectError, newLocker, run, useTempRoot } from "./cli-helpers.js";
import { startTwin, twinOf } from "./remote-twin.js";

const SUITES = ["evidence", "evidence-batch", "lifecycle", "anchor-proof", "verify"];
const root = useTempRoot("remote");

for (const suite of SUITES)
  void test(`the ${suite} CLI tests pass with every remote-capable command also run through --server`, () => {
    const report = join(root, `${suite}.compared`);
    rmSync(report, { force: true });
    const file = new URL(`./${suite}.test.js`, import.meta.url).pathname;
    const env: NodeJS.ProcessEnv = { ...process.env, VIGIL_CLI_REMOTE: "1", VIGIL_CLI_REMOTE_REPORT: report };
    delete env.NODE_TEST_CONTEXT; // a runner of its own, not a child reporting to ours
    const r = spawnSync(process.execPath, ["--test", file], {
      env,
      encoding: "utf8",
      maxBuffer: 1 << 26,
    });
    assert.equal(r.status, 0, `${r.stdout.slice(-6000)}\n${r.stderr.slice(-2000)}`);
    const compared = Number(readFileSync(report, "utf8").trim());
    assert.ok(compared >= 10, `only ${compared} commands were compared with their remote run`);
  });

void test("local-only commands refuse --server and VIGIL_SERVER (exit 2); bad URLs, tokens and servers have their exit codes", () => {
  const data = newLocker(root, "served");
  startTwin(data, BIN, (args, opts) => run(args, opts));
  const t = twinOf(["--data", data]);
  assert.ok(t !== undefined);
  const remote = (env: Record<string, string>, ...args: string[]) => run(args, { env });
  for (const args of [
    ["init"],
    ["serve"],
    ["token", "list"],
    ["anchor", "verify"],
    ["key", "rotate"],
    ["doctor"],
    ["evidence", "add-batch", root],
  ])
    expectError(
      run(["--server", t.url, ...args]),
      2,
      /works on a local locker only: it does not take --server/,
    );
  expectError(remote({ VIGIL_SERVER: t.url }, "doctor"), 2, /does not take --server/);
  expectError(run(["--server", t.url, "verify", "--offline"]), 2, /does not take --server/);
  expectError(run(["--server", "ftp://x", "evidence", "list"]), 2, /http/);
  expectError(run(["--server", "http://u:secret@127.0.0.1:1", "evidence", "list"]), 2, /VIGIL_TOKEN/);
  const noToken = expectError(run(["--server", t.url, "evidence", "list"]), 7, /UNAUTHENTICATED/);
  const bad = expectError(
    remote({ VIGIL_TOKEN: "tok_aaaaaaaa.x" }, "--server", t.url, "evidence", "list"),
    7,
  );
  assert.doesNotMatch(bad + noToken, /tok_aaaaaaaa/, "a token is never repeated");
  expectError(run(["--server", "http://127.0.0.1:7999", "evidence", "list"]), 6, /cannot reach the server/);
  const ok = remote({ VIGIL_TOKEN: t.token }, "--server", t.url, "--json", "evidence", "list");
  assert.equal(ok.status, 0, ok.stderr);
});

void test("export --server writes the very bytes a local export of the served locker writes; audit receipts answer alike", () => {
  const data = newLocker(root, "packed");
  startTwin(data, BIN, (args, opts) => run(args, opts));
  const t = twinOf(["--data", data]);
  assert.ok(t !== undefined);
  const env = { VIGIL_TOKEN: t.token };
  const remote = (...args: string[]) => run(["--server", t.url, ...args], { env });
  const file = join(root, "packed.json");
  writeFileSync(file, '{"packed":true}\n');
  assert.equal(remote("evidence", "add", file, "--domain", "packs").status, 0);
  assert.equal(remote("anchor", "create").status, 0);
  const [mine, theirs] = [join(root, "local.tar.gz"), join(root, "remote.tar.gz")];
  const local = run(["--data", t.dir, "--json", "export", "--query", "--domain", "packs", "-o", mine]);
  const served = remote("--json", "export", "--query", "--domain", "packs", "-o", theirs);
  assert.equal(served.status, 0, served.stderr);
  assert.deepEqual(readFileSync(theirs), readFileSync(mine), "the pack bytes differ");
  const summary = (s: string) => ({ ...(JSON.parse(s) as Record<string, unknown>), output: undefined });
  assert.deepEqual(summary(served.stdout), summary(local.stdout));
  expectError(remote("export", "--query", "-o", join(root, "p.tar")), 2, /\.tar\.gz/);
  expectError(remote("export", "--query", "-o", join(root, "pack-dir")), 2, /\.tar\.gz/);
  // Receipts: the local run reads the journal first; the remote one sees the same and only then leaves its own.
  const ask = ["--json", "audit", "receipts", "--since", "2020-01-01", "--check-gaps"];
  const here = run(["--data", t.dir, ...ask]);
  const there = remote(...ask);
  assert.equal(there.status, 0, there.stderr);
  assert.equal(there.stdout, here.stdout);
  const audit = JSON.parse(there.stdout) as { ok: boolean; receipts: { action: string }[]; runs: { state: string }[] }; // prettier-ignore
  assert.deepEqual([audit.ok, audit.runs.map((r) => r.state)], [true, ["current"]]);
  assert.deepEqual(
    audit.receipts.map((r) => r.action),
    ["evidence.write", "pack.export"],
  );
  const next = JSON.parse(run(["--data", t.dir, ...ask]).stdout) as typeof audit;
  assert.equal(next.receipts.at(-1)?.action, "audit.read", "the remote read left its receipt");
  expectError(remote("audit", "receipts", "--since", "last tuesday"), 5, /since must be/);
});
