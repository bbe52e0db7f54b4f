/**
 * kill -9 at random moments during `backup create`: the locker must stay
 * fully verifiable, and an interrupted backup must have no manifest, so
 * `backup list` never shows it.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { MANIFEST_FILE } from "../../src/lifecycle/backup-manifest.js";
import { addArtifacts, anchor, BIN, json, newLocker, tempRoot, vigil } from "./helpers.js";

const ROUNDS = 6;

/** Runs `backup create`; kills it with SIGKILL after `ms` (if given); resolves with the wall time. */
function backupAndKill(data: string, ms: number | null): Promise<{ ms: number; killed: boolean }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [BIN, "--data", data, "backup", "create"], { stdio: "ignore" });
    let killed = false;
    const timer = ms === null ? null : setTimeout(() => (killed = child.kill("SIGKILL")), ms);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (timer !== null) clearTimeout(timer);
      if (signal === null && code !== 0) reject(new Error(`backup create exited ${code}`));
      resolve({ ms: performance.now() - t0, killed: killed && signal === "SIGKILL" });
    });
  });
}

void test(
  "kill -9 during backup create leaves a verifiable locker and no manifest for the torn backup",
  { timeout: 300_000 },
  async () => {
    const v = newLocker(tempRoot("kill9-backup"));
    for (let g = 0; g < 40; g++) await addArtifacts(v, 1000, `g${g}`, g % 4 === 0 ? 50 : 0);
    await anchor(v);
    const data = v.paths.dataDir;
    await v.close();
    const full = await backupAndKill(data, null);
    let torn = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const delay = full.ms * (0.3 + 0.65 * Math.random());
      await backupAndKill(data, Math.round(delay));
      const dirs = readdirSync(join(data, "backups"));
      const complete = dirs.filter((d) => existsSync(join(data, "backups", d, MANIFEST_FILE)));
      torn = dirs.length - complete.length;
      const verify = json<{ result: string; findings: unknown[] }>(
        vigil(data, "--json", "verify", "--mode", "full"),
      );
      assert.equal(
        verify.result,
        "passed",
        `round ${round}: ${JSON.stringify(verify.findings).slice(0, 2000)}`,
      );
      const listed = json<{ id: string }[]>(vigil(data, "--json", "backup", "list"));
      assert.deepEqual(
        listed.map((b) => b.id).sort(),
        complete.sort(),
        `round ${round}: only complete backups are listed`,
      );
      for (const id of complete)
        assert.equal(json<{ ok: boolean }>(vigil(data, "--json", "backup", "verify", id)).ok, true);
    }
    assert.ok(torn > 0, "no kill landed mid-backup: the test proved nothing");
  },
);
