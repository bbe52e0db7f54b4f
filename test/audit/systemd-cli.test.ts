/** End-to-end `vigil systemd`: printed and written units, validation, systemd-analyze. */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { BIN, expectError, expectJson, expectOk, run, useTempRoot } from "../cli/cli-helpers.js";

interface SystemdOut {
  units: { name: string; content: string }[];
  written: string[] | null;
}

const root = useTempRoot("systemd");
const data = join(root, "locker");
const HAS_ANALYZE = spawnSync("which", ["systemd-analyze"]).status === 0;

void test("prints the service and the timer; the service runs this vigil on the locker", () => {
  const text = expectOk(run(["--data", data, "systemd", "--user", "vigil-svc"])).stdout;
  assert.match(text, /^### vigil-audit-export\.service\n/);
  assert.match(text, /\n### vigil-audit-export\.timer\n/);
  assert.ok(
    text.includes(`\nExecStart=${BIN} --data ${data} audit export --yesterday -o ${data}/audit\n`),
    text,
  );
  assert.ok(text.includes("\nUser=vigil-svc\n"));
  assert.ok(text.includes("\nOnCalendar=daily\n"));
});

void test("--output-dir writes both units (0644), exactly as --json reports them", () => {
  const dir = join(root, "units");
  const r = expectJson<SystemdOut>(
    run(["--data", data, "--json", "systemd", "--user", "vigil-svc", "--bin", BIN, "--output-dir", dir]),
  );
  assert.deepEqual(r.written, [
    join(dir, "vigil-audit-export.service"),
    join(dir, "vigil-audit-export.timer"),
  ]);
  for (const u of r.units) {
    assert.equal(readFileSync(join(dir, u.name), "utf8"), u.content);
    assert.equal(statSync(join(dir, u.name)).mode & 0o777, 0o644);
  }
  if (HAS_ANALYZE) {
    const a = spawnSync("systemd-analyze", ["verify", "--man=no", ...(r.written ?? [])], {
      encoding: "utf8",
    });
    assert.equal(`${a.status} ${a.stdout}${a.stderr}`, "0 ");
  }
});

void test("bad user names and paths are usage errors", () => {
  expectError(run(["--data", data, "systemd", "--user", "root"]), 2, /root/);
  expectError(run(["--data", data, "systemd", "--user", "a b"]), 2, /POSIX user name/);
  expectError(
    run(["--data", "relative/locker", "systemd", "--user", "vigil"]),
    2,
    /--data must be an absolute path/,
  );
  expectError(run(["--data", `${data}\nExecStartPre=/bin/sh`, "systemd", "--user", "vigil"]), 2, /--data/);
  expectError(run(["--data", data, "systemd", "--user", "vigil", "--bin", "/opt/my vigil"]), 2, /--bin/);
  expectError(run(["--data", "/home/alice/locker", "systemd", "--user", "vigil"]), 2, /ProtectHome/);
  expectError(run(["--data", data, "systemd"]), 2);
});
