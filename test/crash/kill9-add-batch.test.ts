/**
 * kill -9 at random moments during `evidence add-batch`: every artifact the
 * CLI acknowledged (printed) must survive, and the locker must pass
 * `verify --mode full` after every kill.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const BIN = new URL("../../../bin/vigil", import.meta.url).pathname;
const ROUNDS = 6;

function vigil(data: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, "--data", data, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

function makeFiles(dir: string, round: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 1500; i++)
    writeFileSync(join(dir, `r${round}-small-${String(i).padStart(5, "0")}.json`), randomBytes(1024));
  // A few contents above the inline limit exercise the staged-file path.
  for (let i = 0; i < 6; i++)
    writeFileSync(join(dir, `r${round}-large-${i}.bin`), randomBytes(200 * 1024 + i));
}

/** Runs add-batch, kills it with SIGKILL after `ms`, returns the acknowledged ids. */
function addAndKill(data: string, dir: string, ms: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        "--data",
        data,
        "--json",
        "evidence",
        "add-batch",
        dir,
        "--domain",
        "crash",
        "--batch-size",
        "100",
      ],
      {
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("error", reject);
    child.on("close", () => {
      clearTimeout(timer);
      // Only complete lines were acknowledged; a torn last line was not.
      const lines = out.split("\n").slice(0, -1);
      resolve(
        lines
          .map((l) => JSON.parse(l) as { id: string; status: string })
          .filter((o) => o.status === "added" || o.status === "exists")
          .map((o) => o.id),
      );
    });
  });
}

void test(
  "kill -9 during add-batch loses nothing acknowledged and leaves a verifiable locker",
  { timeout: 300_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), "vigil-kill9-"));
    const data = join(root, "locker");
    try {
      assert.equal(vigil(data, "init").status, 0);
      const acknowledged = new Set<string>();
      let killedMidway = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const dir = join(root, `in-${round}`);
        makeFiles(dir, round);
        // Kill times spread from early (before any ack) to late (several groups acknowledged).
        const ids = await addAndKill(data, dir, 150 + round * 120 + Math.floor(Math.random() * 100));
        ids.forEach((id) => acknowledged.add(id));
        if (ids.length < 1506) killedMidway++;
        const verify = vigil(data, "--json", "verify", "--mode", "full");
        assert.equal(
          verify.status,
          0,
          `round ${round}: verify failed after kill: ${verify.stdout.slice(0, 2000)} ${verify.stderr}`,
        );
        const listed = JSON.parse(vigil(data, "--json", "evidence", "list", "--domain", "crash").stdout) as {
          id: string;
        }[];
        const present = new Set(listed.map((r) => r.id));
        for (const id of acknowledged)
          assert.ok(present.has(id), `round ${round}: acknowledged ${id} was lost`);
      }
      assert.ok(acknowledged.size > 0, "no artifact was ever acknowledged: the test proved nothing");
      assert.ok(killedMidway > 0, "every run finished before the kill: the test proved nothing");
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
