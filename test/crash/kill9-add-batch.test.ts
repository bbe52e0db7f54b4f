/**
 * kill -9 during `evidence add-batch`, after a set number of acknowledged
 * artifacts (from the first group to the last few): every artifact the
 * CLI acknowledged (printed) must survive, and the locker must pass
 * `verify --mode full` after every kill.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, killAfterAcks, vigil } from "./crash-helpers.js";

/**
 * Acknowledged artifacts before each round's kill (of 1,506 per round, acknowledged a group of 100 at
 * a time): from the first group to the last few, counted rather than timed so a slow machine still
 * kills mid-way.
 */
const KILL_AFTER = [1, 150, 400, 700, 1000, 1300];

function makeFiles(dir: string, round: number): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 1500; i++)
    writeFileSync(join(dir, `r${round}-small-${String(i).padStart(5, "0")}.json`), randomBytes(1024));
  // A few contents above the inline limit exercise the staged-file path.
  for (let i = 0; i < 6; i++)
    writeFileSync(join(dir, `r${round}-large-${i}.bin`), randomBytes(200 * 1024 + i));
}

/** Runs add-batch, kills it with SIGKILL once `acks` artifacts were printed, returns the acknowledged ids. */
function addAndKill(data: string, dir: string, acks: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const args = [BIN, "--data", data, "--json", "evidence", "add-batch", dir, "--domain", "crash"];
    const child = spawn(process.execPath, [...args, "--batch-size", "100"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    const lines = () => out.split("\n").length - 1;
    const killer = killAfterAcks(child, acks, lines);
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      out += d;
      killer.tick();
    });
    child.on("error", reject);
    child.on("close", () => {
      // Only complete lines were acknowledged; a torn last line was not.
      resolve(
        out
          .split("\n")
          .slice(0, -1)
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
      for (const [round, acks] of KILL_AFTER.entries()) {
        const dir = join(root, `in-${round}`);
        makeFiles(dir, round);
        const ids = await addAndKill(data, dir, acks);
        assert.ok(
          ids.length >= acks,
          `round ${round}: ended after ${ids.length} acknowledgements, before the kill`,
        );
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
