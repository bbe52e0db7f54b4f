/**
 * kill -9 at random moments during `cleanup --apply-retention`: afterwards
 * the locker verifies (no contents missing without its expiry record), held
 * artifacts keep their contents, and a second cleanup finishes the job.
 */
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

const BIN = new URL("../../../bin/vigil", import.meta.url).pathname;
const TOTAL = 30_008;

function vigil(data: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, "--data", data, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

function killAfter(data: string, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, "--data", data, "cleanup", "--apply-retention"], {
      stdio: "ignore",
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("close", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

void test(
  "kill -9 during cleanup loses nothing that was not due and leaves a verifiable locker",
  { timeout: 300_000 },
  async () => {
    const root = mkdtempSync(join(tmpdir(), "vigil-kill9-cleanup-"));
    const data = join(root, "locker");
    try {
      assert.equal(vigil(data, "init").status, 0);
      const dir = join(root, "old");
      mkdirSync(dir);
      for (let i = 0; i < TOTAL - 8; i++)
        writeFileSync(join(dir, `a${String(i).padStart(5, "0")}.json`), randomBytes(512));
      for (let i = 0; i < 8; i++) writeFileSync(join(dir, `big${i}.bin`), randomBytes(100_000));
      assert.equal(
        vigil(data, "evidence", "add-batch", dir, "--domain", "old", "--date", "2019-01-01").status,
        0,
      );
      const listed = JSON.parse(vigil(data, "--json", "evidence", "list", "--limit", "3").stdout) as {
        id: string;
      }[];
      const held = listed.map((r) => r.id);
      for (const id of held) assert.equal(vigil(data, "evidence", "hold", id, "--reason", "keep").status, 0);
      for (let round = 0; round < 5; round++) {
        await killAfter(data, 200 + Math.floor(Math.random() * 600));
        const v = vigil(data, "--json", "verify", "--mode", "full");
        assert.equal(v.status, 0, `round ${round}: ${v.stdout.slice(0, 1500)} ${v.stderr}`);
        for (const id of held)
          assert.equal(vigil(data, "evidence", "get", id).status, 0, `held ${id} lost its contents`);
      }
      assert.equal(vigil(data, "cleanup", "--apply-retention").status, 0);
      const dry = JSON.parse(vigil(data, "--json", "cleanup", "--apply-retention", "--dry-run").stdout) as {
        due: unknown[];
      };
      assert.equal(dry.due.length, 0, "the final cleanup expired everything due");
      const report = JSON.parse(vigil(data, "--json", "verify", "--mode", "full").stdout) as {
        result: string;
        counts: { expired: number };
      };
      assert.deepEqual([report.result, report.counts.expired], ["passed", TOTAL - held.length]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
);
