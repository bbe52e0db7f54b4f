/**
 * Remote mode of the CLI tests (VIGIL_CLI_REMOTE=1): every locker a test
 * makes gets a twin served by a real `vigil serve`, and every command a test
 * runs on the locker runs again through `--server` on the twin. The test
 * sees the local result; this module asserts that the remote one has the
 * same exit code, the same stdout and the same error code. Leaf numbers and
 * times are set aside: the twin's journal also holds its token, server and
 * access-receipt records, so its leaves sit further along. A command that
 * refuses --server runs locally on the twin instead, so the twin keeps the
 * same evidence.
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { appendFileSync, closeSync, cpSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"; // prettier-ignore
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after } from "node:test";
import { align, anchorNoteOf, anchorSeqOf } from "./remote-align.js";
import { normalise } from "./remote-normalise.js";

export const REMOTE = process.env.VIGIL_CLI_REMOTE === "1";

export interface Twin {
  readonly dir: string;
  readonly root: string;
  readonly url: string;
  readonly token: string;
}

export interface Result {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export type Runner = (args: readonly string[], opts: { input?: string | Buffer; cwd?: string; env?: Record<string, string> }) => Result; // prettier-ignore

const twins = new Map<string, Twin>();
let compared = 0;
if (REMOTE && process.env.VIGIL_CLI_REMOTE_REPORT !== undefined) {
  const report = process.env.VIGIL_CLI_REMOTE_REPORT;
  process.on("exit", () => appendFileSync(report, `${compared}\n`));
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** Makes and serves the twin of a locker just initialised at `data`. */
export function startTwin(data: string, bin: string, run: Runner): void {
  const root = mkdtempSync(join(tmpdir(), "vigil-cli-twin-"));
  const dir = join(root, "locker");
  assert.equal(run(["--data", dir, "init"], {}).status, 0);
  const made = run(["--data", dir, "--json", "token", "create", "--role", "admin", "--tenant", "*", "--name", "twin"], {}); // prettier-ignore
  const token = (JSON.parse(made.stdout) as { token: string }).token;
  serveTwin(data, { dir, root, token }, bin);
}

/**
 * `copyLocker` in remote mode: the copy's twin is a copy of the source's twin
 * (taken while its server is idle, between commands), served by a server of its own.
 */
export function copyTwin(src: string, dst: string, bin: string): void {
  const from = twins.get(resolve(src));
  if (from === undefined) return;
  const root = mkdtempSync(join(tmpdir(), "vigil-cli-twin-"));
  const dir = join(root, "locker");
  cpSync(from.dir, dir, { recursive: true });
  serveTwin(dst, { dir, root, token: from.token }, bin);
}

function serveTwin(data: string, t: Omit<Twin, "url">, bin: string): void {
  const config = join(t.root, "server.json");
  writeFileSync(config, JSON.stringify({ anchorIntervalMs: 0, rateLimit: { perSecond: 1e6, burst: 1e6 } }));
  const log = join(t.root, "serve.log");
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, [bin, "--data", t.dir, "serve", "--port", "0", "--config", config], {
    stdio: ["ignore", "ignore", fd],
  });
  closeSync(fd);
  const url = waitForUrl(log, child);
  twins.set(resolve(data), { ...t, url });
  after(async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    rmSync(t.root, { recursive: true, force: true });
  });
}

function waitForUrl(log: string, child: ChildProcess): string {
  for (let waited = 0; waited < 30_000; waited += 20) {
    const m = /serving .* on (http:\/\/\S+)/.exec(readFileSync(log, "utf8"));
    if (m?.[1] !== undefined) return m[1];
    if (child.exitCode !== null) break;
    sleep(20);
  }
  throw new Error(`the twin server did not start: ${readFileSync(log, "utf8")}`);
}

/** The twin of `vigil --data DATA …`, if DATA has one. */
export function twinOf(args: readonly string[]): Twin | undefined {
  return args[0] === "--data" && args[1] !== undefined ? twins.get(resolve(args[1])) : undefined;
}

/** -o FILE written into the twin's own directory tree, so the two runs do not collide. */
function mirror(args: readonly string[], t: Twin, cwd: string | undefined) {
  const out = args.findIndex((a) => a === "-o" || a === "--output");
  if (out < 0 || args[out + 1] === undefined) return { args, local: null, remote: null };
  const local = resolve(cwd ?? ".", args[out + 1] as string);
  const remote = join(t.root, "out", local);
  if (existsSync(local) && statSync(local).isDirectory()) mkdirSync(remote, { recursive: true });
  else if (existsSync(dirname(local))) mkdirSync(dirname(remote), { recursive: true });
  return { args: args.map((a, i) => (i === out + 1 ? remote : a)), local, remote };
}

const errorCode = (stderr: string) => /\[([A-Z_]+)\]/.exec(stderr)?.[1] ?? null;

/**
 * The command as the twin must be asked it: tree sizes a proof command names
 * as the twin's (the same records, the server's own between), and a
 * verification report by the twin's id for it.
 */
function twinArgs(args: readonly string[], local: string, t: Twin): readonly string[] {
  const a = align(local, t.dir, true);
  const proof = args.includes("proof");
  return args.map((x, i) =>
    proof && ["--size", "--from", "--to"].includes(args[i - 1] ?? "") && /^\d+$/.test(x)
      ? String(a.toTwin(Number(x)))
      : /^sha256:[0-9a-f]{64}$/.test(x)
        ? a.artifact(x)
        : x,
  );
}

/** Runs the command through --server on the twin and checks it answered as the local run did. */
export function compareRemote(
  t: Twin,
  args: readonly string[],
  opts: { input?: string | Buffer; cwd?: string },
  local: Result,
  run: Runner,
): void {
  const data = args[1] as string;
  const m = mirror(args.slice(2), t, opts.cwd);
  const asked = twinArgs(m.args, data, t);
  const remote = run(["--server", t.url, ...asked], { ...opts, env: { VIGIL_TOKEN: t.token } });
  if (remote.status === 2 && /does not take --server/.test(remote.stderr)) {
    run(["--data", t.dir, ...asked], opts);
    return;
  }
  compared++;
  const what = `vigil ${args.join(" ")}\n--- local (${local.status}):\n${local.stdout.slice(0, 1500)}${local.stderr}\n--- remote (${remote.status}):\n${remote.stdout.slice(0, 1500)}${remote.stderr}`; // prettier-ignore
  assert.equal(remote.status, local.status, `exit codes differ: ${what}`);
  const stdout = m.remote === null ? remote.stdout : remote.stdout.replaceAll(m.remote, m.local ?? "");
  const a = align(data, t.dir);
  assert.equal(normalise(stdout, a), normalise(local.stdout), `stdout differs: ${what}`);
  assert.equal(errorCode(remote.stderr), errorCode(local.stderr), `error codes differ: ${what}`);
  if (m.local !== null && m.remote !== null && local.status === 0 && existsSync(m.local))
    checkOutputFile(data, args.slice(2), m.local, m.remote, t, run, what);
}

/**
 * -o FILE: contents are the same bytes; an anchor's note and a pack are the
 * twin's own (its key, its journal), so they must be what the twin holds and
 * verify with the twin's key.
 */
function checkOutputFile(
  data: string,
  args: readonly string[],
  local: string,
  remote: string,
  t: Twin,
  run: Runner,
  what: string,
) {
  // prettier-ignore
  const verb = args.find((x) => !x.startsWith("-"));
  if (verb === "anchor") {
    const seq = anchorSeqOf(data, readFileSync(local, "utf8"));
    assert.ok(seq !== null, `-o is not one of the local anchors: ${what}`);
    assert.equal(
      readFileSync(remote, "utf8"),
      anchorNoteOf(t.dir, seq),
      `-o is not the twin's anchor ${seq}: ${what}`,
    );
    return;
  }
  if (verb === "export") {
    const key = join(t.dir, "keys", "signing.vkey");
    const r = run(["verify", "--offline", "--input", remote, "--trusted-key", key], {});
    assert.equal(
      r.status,
      0,
      `the remote pack does not verify with the twin's key: ${what}\n${r.stdout}${r.stderr}`,
    );
    return;
  }
  assert.deepEqual(readFileSync(remote), readFileSync(local), `-o files differ: ${what}`);
}
