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
import { appendFileSync, closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"; // prettier-ignore
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { after } from "node:test";

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
  const config = join(root, "server.json");
  writeFileSync(config, JSON.stringify({ anchorIntervalMs: 0, rateLimit: { perSecond: 1e6, burst: 1e6 } }));
  const log = join(root, "serve.log");
  const fd = openSync(log, "w");
  const child = spawn(process.execPath, [bin, "--data", dir, "serve", "--port", "0", "--config", config], {
    stdio: ["ignore", "ignore", fd],
  });
  closeSync(fd);
  const url = waitForUrl(log, child);
  twins.set(resolve(data), { dir, root, url, token });
  after(async () => {
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await exited;
    rmSync(root, { recursive: true, force: true });
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

/** Leaf numbers and times differ between the twins by construction; everything else must not. */
export function normalise(s: string): string {
  return s
    .replace(/("(?:leafIndex|recordLeaf)":\s*)\d+/g, "$1N")
    .replace(/\bleaf \d+/g, "leaf N")
    .replace(/^((?:sha256:)?[0-9a-f]{12,19}) +\d+ /gm, "$1 N ")
    .replace(/^(leafIndex +)\d+$/gm, "$1N")
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z/g, "TIME")
    .replace(/ {2,}/g, "  ");
}

const errorCode = (stderr: string) => /\[([A-Z_]+)\]/.exec(stderr)?.[1] ?? null;

/** Runs the command through --server on the twin and checks it answered as the local run did. */
export function compareRemote(
  t: Twin,
  args: readonly string[],
  opts: { input?: string | Buffer; cwd?: string },
  local: Result,
  run: Runner,
): void {
  const m = mirror(args.slice(2), t, opts.cwd);
  const remote = run(["--server", t.url, ...m.args], { ...opts, env: { VIGIL_TOKEN: t.token } });
  if (remote.status === 2 && /does not take --server/.test(remote.stderr)) {
    if (!args.includes("status")) run(["--data", t.dir, ...m.args], opts);
    return;
  }
  compared++;
  const what = `vigil ${args.join(" ")}\n--- local (${local.status}):\n${local.stdout.slice(0, 1500)}${local.stderr}\n--- remote (${remote.status}):\n${remote.stdout.slice(0, 1500)}${remote.stderr}`; // prettier-ignore
  assert.equal(remote.status, local.status, `exit codes differ: ${what}`);
  assert.equal(normalise(remote.stdout), normalise(local.stdout), `stdout differs: ${what}`);
  assert.equal(errorCode(remote.stderr), errorCode(local.stderr), `error codes differ: ${what}`);
  if (m.local !== null && m.remote !== null && local.status === 0 && existsSync(m.local))
    assert.deepEqual(readFileSync(m.remote), readFileSync(m.local), `-o files differ: ${what}`);
}
