/**
 * The README's first command line, `npm start`, run for real: npm, the shell
 * it runs package.json's start script in, and the server below them. In a
 * fresh directory it creates the locker, says where it listens and prints a
 * first-token command that works as printed, from any directory; the token
 * uploads and reads an artifact; SIGTERM to the process group (what a
 * terminal or a supervisor sends) stops the server cleanly: exit 0, the
 * journal ending in server.stopped, a final anchor covering it, and nothing
 * of the group left running.
 *
 * npm and its shell die of the signal at once while the server is still
 * shutting down, and the server is not this process's child, so its exit code
 * is not ours to wait for: a preload (NODE_OPTIONS --require, loaded by every
 * node of the group) appends each process's exit code to a file.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { openLocker } from "../../src/app/open-locker.js";
import { decodeRecord } from "../../src/journal/index.js";
import { expectOk, rfc6962Leaf, rfc6962Root, vigil } from "../cli/cli-helpers.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const START = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } })
  .scripts.start;

const RECORDER = `process.on("exit", (code) => require("node:fs").appendFileSync(
  process.env.VIGIL_TEST_EXITS, JSON.stringify({ pid: process.pid, argv: process.argv.slice(2), code }) + "\\n"));`;

/** The environment without the caller's VIGIL_* settings. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("VIGIL_")));
  return { ...env, NO_COLOR: "1", ...extra };
}

/** Live (not zombie) processes of process group `pgid`, from /proc. */
function groupMembers(pgid: number): number[] {
  return readdirSync("/proc")
    .filter((n) => /^\d+$/.test(n))
    .flatMap((pid) => {
      try {
        // Fields after "(comm)": state ppid pgrp ...
        const after = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ").pop() ?? "";
        const [state, , pgrp] = after.split(" ");
        return Number(pgrp) === pgid && state !== "Z" ? [Number(pid)] : [];
      } catch {
        return []; // gone meanwhile
      }
    });
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, "SIGKILL");
  } catch {
    // ended meanwhile
  }
}

async function until<T>(what: () => string, ms: number, f: () => T | undefined): Promise<T> {
  for (const deadline = Date.now() + ms; Date.now() < deadline;) {
    const v = f();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what()}`);
}

interface NpmStart {
  readonly pgid: number;
  readonly out: { stdout: string; stderr: string; ended: boolean };
  readonly exited: Promise<void>;
}

/** `npm start` in the checkout, leading its own process group. */
function npmStart(env: NodeJS.ProcessEnv): NpmStart {
  const npm = spawn("npm", ["start"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const out = { stdout: "", stderr: "", ended: false };
  npm.stdout.setEncoding("utf8").on("data", (d: string) => (out.stdout += d));
  npm.stderr.setEncoding("utf8").on("data", (d: string) => (out.stderr += d));
  return {
    pgid: npm.pid as number,
    out,
    exited: new Promise((r) => {
      const end = (why: string) => {
        out.stderr += why;
        out.ended = true;
        r();
      };
      npm.once("exit", () => end(""));
      npm.once("error", (e) => end(`cannot run npm: ${e.message}\n`));
    }),
  };
}

/** Runs the printed first-token command as a user would paste it: a shell, another directory, no VIGIL_DATA. */
function runHint(stderr: string): string {
  const hint = /first token: (.+?) {2,}\(then/.exec(stderr)?.[1];
  assert.ok(hint !== undefined, stderr);
  const made = execFileSync("sh", ["-c", hint], { cwd: tmpdir(), env: cleanEnv({}), encoding: "utf8" });
  const token = /^(tok_\S+)\n/.exec(made)?.[1];
  assert.ok(token !== undefined, made);
  return token;
}

/** Uploads an artifact with the token (refused without it) and reads it back; returns its id. */
async function uploadAndGet(url: string, token: string): Promise<string> {
  const bytes = randomBytes(300);
  const id = `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const upload = (auth: Record<string, string>) =>
    fetch(`${url}/v1/evidence?domain=resilience&name=restore-drill&label=env=prod`, {
      method: "POST",
      headers: { "content-type": "application/octet-stream", ...auth },
      body: bytes,
    });
  assert.equal((await upload({})).status, 401, "no token, no upload");
  const added = await upload({ authorization: `Bearer ${token}` });
  assert.equal(added.status, 201, await added.clone().text());
  assert.equal(((await added.json()) as { id: string }).id, id);
  const got = await fetch(`${url}/v1/evidence/${id}`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(got.status, 200);
  assert.deepEqual(Buffer.from(await got.arrayBuffer()), bytes);
  return id;
}

/** The exit code the server process recorded (none: it did not exit normally). */
function serverExitCode(exits: string, stderr: string): number | undefined {
  const ended = (existsSync(exits) ? readFileSync(exits, "utf8") : "")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as { argv: string[]; code: number });
  const server = ended.filter((e) => e.argv.includes("serve"));
  assert.equal(server.length, 1, `one server process exited normally: ${JSON.stringify(ended)}\n${stderr}`);
  return server[0]?.code;
}

void test(
  "npm start: creates the locker, serves it, its first-token hint works, SIGTERM stops it cleanly",
  { timeout: 180_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), "vigil-npm-start-"));
    const data = join(root, "my data"); // a space: the printed commands must quote it
    const exits = join(root, "exits.jsonl");
    writeFileSync(join(root, "recorder.cjs"), RECORDER);
    const recorder = `--require ${join(root, "recorder.cjs")}`;
    const npm = npmStart(cleanEnv({ VIGIL_DATA: data, VIGIL_PORT: "0", VIGIL_TEST_EXITS: exits, NODE_OPTIONS: recorder })); // prettier-ignore
    const { out } = npm;
    try {
      const m = await until(
        () => `the serving line: ${out.stdout}${out.stderr}`,
        120_000,
        () =>
          /created a new locker and serving (.+) on (http:\/\/\S+)\n/.exec(out.stderr) ??
          (out.ended ? null : undefined),
      );
      if (m?.[2] === undefined) assert.fail(`npm start ended without serving: ${out.stdout}${out.stderr}`);
      const [, served, url] = m;
      assert.ok(out.stdout.includes(START), `npm ran package.json's start script (${START}): ${out.stdout}`);
      assert.equal(served, resolve(data));
      assert.ok(existsSync(join(data, "vigil.json")), "the locker was created");
      for (const path of ["/healthz", "/readyz"]) assert.equal((await fetch(url + path)).status, 200, path);
      const id = await uploadAndGet(url, runHint(out.stderr));

      process.kill(-npm.pgid, "SIGTERM");
      await npm.exited;
      await until(
        () => "the process group to end",
        60_000,
        () => (groupMembers(npm.pgid).length === 0 ? true : undefined),
      );
      assert.equal(serverExitCode(exits, out.stderr), 0, out.stderr);
      assert.match(out.stderr, /SIGTERM: finishing in-flight requests, signing a final anchor\n/);
      assert.doesNotMatch(out.stderr, /shutdown failed|error/i);
      await assertEndsStoppedAndAnchored(data, id);
    } finally {
      if (groupMembers(npm.pgid).length > 0) killGroup(npm.pgid);
      rmSync(root, { recursive: true, force: true });
    }
  },
);

/** The journal's last record is server.stopped, and the latest anchor covers it with the RFC 6962 root computed here. */
async function assertEndsStoppedAndAnchored(data: string, id: string): Promise<void> {
  const l = await openLocker(data);
  try {
    const size = await l.log.size();
    const entries = await l.log.readEntries(0, size);
    const types = entries.map((e) => decodeRecord(e.bytes).type);
    assert.equal(types.at(-1), "server.stopped", types.join(", "));
    assert.ok(
      entries.some((e) => decodeRecord(e.bytes).digest === id),
      "the upload is in the journal",
    );
    const cp = await l.log.latestCheckpoint();
    assert.equal(cp?.size, size, "the final anchor covers the whole journal");
    assert.deepEqual(cp.root, rfc6962Root(entries.map((e) => rfc6962Leaf(e.bytes))));
  } finally {
    await l.close();
  }
  expectOk(vigil(data, "anchor", "verify")); // its signature too
}
