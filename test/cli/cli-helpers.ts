/**
 * Shared helpers for the end-to-end CLI tests: spawn the real `bin/vigil`
 * with `process.execPath`, fresh temporary lockers, and independent hashing
 * (node:crypto only, never the code under test) to check what the CLI says.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  cpSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { testBackend } from "../storage/pg-test-db.js";
import { createDatabaseSync } from "./pg-sync.js";
import { align } from "./remote-align.js";
import { compareRemote, copyTwin, REMOTE, startTwin, twinOf } from "./remote-twin.js";

/** The backend the CLI suites make their lockers on in this process. */
export const BACKEND = testBackend();

export const BIN = fileURLToPath(new URL("../../../bin/vigil", import.meta.url));

const notOnPostgres: string[] = [];

/**
 * A test of what only the embedded locker has (vigil.db itself, blob files,
 * replicas, backups): registered on SQLite; on PostgreSQL it is not a skip
 * but counted, with its reason, in testsNotOnPostgres().
 */
export function embeddedTest(name: string, why: string, fn: () => void | Promise<void>): void {
  if (BACKEND === "sqlite") void test(name, fn);
  else notOnPostgres.push(`${name}: ${why}`);
}

/** The embedded-only tests this process left out (postgres-suites.test.ts reports them). */
export function testsNotOnPostgres(): readonly string[] {
  return notOnPostgres;
}

/** True when the tests run as root, where file permissions are not enforced. */
export const IS_ROOT = process.getuid?.() === 0;

export interface CliResult {
  readonly args: readonly string[];
  readonly status: number | null;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
}

export interface RunOptions {
  readonly input?: string | Buffer;
  readonly cwd?: string;
  /** Run as this uid/gid (via util-linux setpriv): lets a root test run see permission errors. */
  readonly asUser?: number;
  /** Extra environment (the remote twin's VIGIL_TOKEN). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Runs `vigil ARGS...` (no --data added), with NO_COLOR and without the
 * caller's VIGIL_* settings. In remote mode, a command on a locker with a
 * twin also runs through --server and must answer alike (remote-twin.ts).
 */
export function run(args: readonly string[], opts: RunOptions = {}): CliResult {
  const local = spawnVigil(args, opts);
  const twin = REMOTE && opts.asUser === undefined ? twinOf(args) : undefined;
  if (twin !== undefined) compareRemote(twin, args, opts, local, spawnVigil);
  return local;
}

function spawnVigil(args: readonly string[], opts: RunOptions = {}): CliResult {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.VIGIL_SERVER;
  delete env.VIGIL_TOKEN;
  delete env.VIGIL_TENANT;
  delete env.VIGIL_CLI_REMOTE;
  Object.assign(env, opts.env);
  delete env.VIGIL_DATA;
  delete env.VIGIL_DEBUG;
  delete env.VIGIL_REPORT_RSS;
  delete env.VIGIL_DATABASE_URL;
  const argv = [BIN, ...args];
  const [cmd, cmdArgs] =
    opts.asUser === undefined
      ? [process.execPath, argv]
      : [
          "setpriv",
          [`--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, "--clear-groups", process.execPath, ...argv],
        ];
  const r = spawnSync(cmd, cmdArgs, {
    input: opts.input ?? "",
    cwd: opts.cwd,
    env,
    maxBuffer: 64 << 20,
    timeout: 30_000,
  });
  if (r.error !== undefined) throw r.error;
  return {
    args,
    status: r.status,
    stdoutBytes: r.stdout,
    stdout: r.stdout.toString("utf8"),
    stderr: r.stderr.toString("utf8"),
  };
}

/** Runs `vigil --data DATA ARGS...`. */
export function vigil(data: string, ...args: string[]): CliResult {
  return run(["--data", data, ...args]);
}

/** `vigil --data DATA ARGS...` with stdin. */
export function vigilWithInput(data: string, input: string | Buffer, ...args: string[]): CliResult {
  return run(["--data", data, ...args], { input });
}

export function describe(r: CliResult): string {
  const cut = (s: string) => (s.length > 2000 ? `${s.slice(0, 2000)}…` : s);
  return `vigil ${r.args.join(" ")} -> exit ${r.status}\n--- stdout:\n${cut(r.stdout)}\n--- stderr:\n${cut(r.stderr)}`;
}

export function expectOk(r: CliResult): CliResult {
  assert.equal(r.status, 0, describe(r));
  return r;
}

export function expectJson<T>(r: CliResult, exit = 0): T {
  assert.equal(r.status, exit, describe(r));
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    assert.fail(`stdout is not one JSON document\n${describe(r)}`);
  }
}

export function expectJsonLines<T>(r: CliResult, exit = 0): T[] {
  assert.equal(r.status, exit, describe(r));
  return r.stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
}

/**
 * A failure: the given exit code, nothing on stdout, and exactly one stderr
 * line starting "vigil: " (no stack trace), optionally matching `pattern`.
 */
export function expectError(r: CliResult, exit: number, pattern?: RegExp): string {
  assert.equal(r.status, exit, describe(r));
  assert.equal(r.stdout, "", `stdout should be empty on error\n${describe(r)}`);
  assert.match(r.stderr, /^vigil: [^\n]+\n$/, `stderr should be exactly one line\n${describe(r)}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, `stderr has a stack trace\n${describe(r)}`);
  if (pattern !== undefined) assert.match(r.stderr, pattern, describe(r));
  return r.stderr;
}

/** A temporary directory removed after this test file's tests (permissions restored first). */
export function useTempRoot(prefix: string): string {
  const root = mkdtempSync(join(tmpdir(), `vigil-cli-${prefix}-`));
  after(() => removeTree(root));
  return root;
}

export function removeTree(path: string): void {
  restorePermissions(path);
  rmSync(path, { recursive: true, force: true });
}

function restorePermissions(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isDirectory()) return;
  chmodSync(path, 0o700);
  for (const name of readdirSync(path)) restorePermissions(join(path, name));
}

/**
 * `vigil init` into ROOT/NAME; returns the data directory. In remote mode it
 * gets a served twin unless `twin` is false (a locker whose point is a state
 * no served locker is in: an empty journal, say, while a server journals its own start).
 * With VIGIL_TEST_BACKEND=postgres the journal goes to a fresh database
 * (postgres-suites.test.ts reruns the suites that way).
 */
export function newLocker(root: string, name = "locker", opts: { twin?: boolean } = {}): string {
  const data = join(root, name);
  const db = BACKEND === "postgres" ? ["--database-url", createDatabaseSync()] : [];
  expectOk(vigil(data, "init", ...db));
  if (REMOTE && opts.twin !== false) startTwin(data, BIN, spawnVigil);
  return data;
}

/** The locker and, in remote mode, its served twin: what a test changes behind the CLI's back, it changes in both. */
export function lockerCopies(data: string): string[] {
  const twin = REMOTE ? twinOf(["--data", data]) : undefined;
  return twin === undefined ? [data] : [data, twin.dir];
}

/** Local leaf `i` of `data` as it sits in `copy` (one of lockerCopies(data)): a twin's leaves sit further along. */
export function leafIn(data: string, copy: string, i: number): number {
  return copy === data ? i : align(data, copy).leaf(i);
}

/**
 * A copy of a (closed) locker, so each destructive test gets its own (on
 * PostgreSQL, of its database too); with `twin`, in remote mode, the copy's
 * twin is a copy of the source's twin.
 */
export function copyLocker(src: string, dst: string, opts: { twin?: boolean } = {}): string {
  cpSync(src, dst, { recursive: true });
  const config = join(dst, "vigil.json");
  const c = JSON.parse(readFileSync(config, "utf8")) as { databaseUrl?: string };
  if (c.databaseUrl !== undefined)
    writeFileSync(config, JSON.stringify({ ...c, databaseUrl: createDatabaseSync(c.databaseUrl) }, null, 2));
  if (REMOTE && opts.twin === true) copyTwin(src, dst, BIN);
  return dst;
}

export interface Status {
  readonly lockerId: string;
  readonly journalSize: number;
  readonly artifacts: number;
  readonly bytes: number;
  readonly indexLag: number;
  readonly latestAnchor: { seq: number; size: number; createdAt: string; unanchored: number } | null;
}

export function status(data: string): Status {
  return expectJson<Status>(vigil(data, "status", "--json"));
}

export function journalSize(data: string): number {
  return status(data).journalSize;
}

/** Writes FILE (creating its directory) and returns its bytes. */
export function writeFile(path: string, contents: string | Buffer): Buffer {
  mkdirSync(dirname(path), { recursive: true });
  const bytes = typeof contents === "string" ? Buffer.from(contents) : contents;
  writeFileSync(path, bytes);
  return bytes;
}

export function sha256(data: Uint8Array): Buffer {
  return createHash("sha256").update(data).digest();
}

/** The artifact id the CLI should report: sha256 of the bytes, computed here. */
export function artifactId(data: Uint8Array): string {
  return `sha256:${sha256(data).toString("hex")}`;
}

/** Where a file blob lives: <data>/blobs/sha256/aa/bb/<hex>. */
export function blobPath(data: string, id: string): string {
  const hex = id.replace(/^sha256:/, "");
  return join(data, "blobs", "sha256", hex.slice(0, 2), hex.slice(2, 4), hex);
}

/** RFC 6962 leaf hash, independently of src/journal. */
export function rfc6962Leaf(data: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(0)).update(data).digest();
}

/** RFC 6962 Merkle Tree Hash of leaf hashes (MTH), the naive recursive definition. */
export function rfc6962Root(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return sha256(new Uint8Array(0));
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  const left = rfc6962Root(leaves.slice(0, k));
  const right = rfc6962Root(leaves.slice(k));
  return createHash("sha256").update(Buffer.of(1)).update(left).update(right).digest();
}

export function b64(s: string): Buffer {
  return Buffer.from(s, "base64");
}
