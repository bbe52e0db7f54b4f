/**
 * The systemd units: validated inputs, the hardening settings, and (where
 * systemd-analyze is installed) systemd's own parser finding nothing wrong.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import {
  auditExportUnits,
  parseUnitPath,
  parseUserName,
  type UnitFile,
} from "../../src/audit/systemd-units.js";
import { isVigilError } from "../../src/errors.js";
import { tempRoot } from "./fixtures.js";

const BIN = fileURLToPath(new URL("../../../bin/vigil", import.meta.url));
const root = tempRoot("systemd");
const data = join(root, "locker");
const [service, timer] = auditExportUnits({ user: "vigil-svc", dataDir: data, bin: BIN });
const HAS_ANALYZE = spawnSync("which", ["systemd-analyze"]).status === 0;

/** Key=value settings of one section, in order. */
function section(unit: UnitFile, name: string): [string, string][] {
  const lines = unit.content.split("\n");
  const start = lines.indexOf(`[${name}]`);
  assert.notEqual(start, -1, `no [${name}] section`);
  const out: [string, string][] = [];
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith("[")) break;
    if (l === "" || l.startsWith("#")) continue;
    const eq = l.indexOf("=");
    out.push([l.slice(0, eq), l.slice(eq + 1)]);
  }
  return out;
}

const usage = (e: unknown) => isVigilError(e) && e.code === "USAGE";

void test("the service is a hardened oneshot that runs vigil directly, without a shell", () => {
  assert.equal(service.name, "vigil-audit-export.service");
  const s = new Map(section(service, "Service"));
  assert.equal(section(service, "Service").length, s.size, "no setting twice");
  assert.deepEqual(Object.fromEntries(s), {
    Type: "oneshot",
    User: "vigil-svc",
    ExecStart: `${BIN} --data ${data} audit export --yesterday -o ${data}/audit`,
    UMask: "0027",
    NoNewPrivileges: "yes",
    ProtectSystem: "strict",
    ReadWritePaths: data,
    ProtectHome: "yes",
    PrivateTmp: "yes",
    PrivateDevices: "yes",
    ProtectKernelTunables: "yes",
    ProtectKernelModules: "yes",
    ProtectControlGroups: "yes",
    RestrictAddressFamilies: "AF_UNIX",
    RestrictNamespaces: "yes",
    LockPersonality: "yes",
    SystemCallArchitectures: "native",
    CapabilityBoundingSet: "",
  });
  assert.ok(!s.has("MemoryDenyWriteExecute"), "Node's JIT needs W+X memory");
  assert.doesNotMatch(service.content, /\/bin\/sh|date -d/);
});

void test("the timer runs the service daily, catching up missed runs", () => {
  assert.equal(timer.name, "vigil-audit-export.timer");
  assert.deepEqual(section(timer, "Timer"), [
    ["OnCalendar", "daily"],
    ["Persistent", "true"],
    ["RandomizedDelaySec", "15m"],
    ["Unit", "vigil-audit-export.service"],
  ]);
  assert.deepEqual(section(timer, "Install"), [["WantedBy", "timers.target"]]);
});

void test("user names: POSIX portable, not numeric-looking, not root", () => {
  for (const ok of ["vigil", "_vigil", "svc.vigil-1", "V".repeat(32)]) assert.equal(parseUserName(ok), ok);
  for (const bad of [
    "",
    "root",
    "1000",
    "-vigil",
    ".vigil",
    "a b",
    "a\nb",
    "v".repeat(33),
    "vïgil",
    "a:b",
    "a/b",
  ])
    assert.throws(() => parseUserName(bad), usage, JSON.stringify(bad));
});

void test("paths: absolute, normalised, nothing systemd would interpret", () => {
  assert.equal(parseUnitPath("--data", "/srv/vigil-data_1/a.b@c+d"), "/srv/vigil-data_1/a.b@c+d");
  const bad = [
    "relative/x",
    "./x",
    "/",
    "/a b",
    "/a\tb",
    "/a\nb",
    "/a'b",
    '/a"b',
    "/a%h",
    "/a$HOME",
    "/a\\b",
  ];
  for (const p of [...bad, "/a//b", "/a/./b", "/a/../b", "/a/", "/a;b", "/ä"])
    assert.throws(() => parseUnitPath("--data", p), usage, JSON.stringify(p));
});

void test("a data directory under /home, /root or /run/user is refused (ProtectHome=yes hides it)", () => {
  for (const d of ["/home/alice/vigil", "/root/vigil", "/run/user/1000/vigil", "/home"])
    assert.throws(() => auditExportUnits({ user: "alice", dataDir: d, bin: BIN }), usage, d);
  assert.doesNotThrow(() => auditExportUnits({ user: "alice", dataDir: "/homestead/vigil", bin: BIN }));
});

function analyze(dir: string, units: readonly UnitFile[]): string {
  mkdirSync(dir, { recursive: true });
  for (const u of units) writeFileSync(join(dir, u.name), u.content);
  const r = spawnSync("systemd-analyze", ["verify", "--man=no", ...units.map((u) => join(dir, u.name))], {
    encoding: "utf8",
  });
  return `${r.status === 0 ? "" : `exit ${r.status}\n`}${r.stdout}${r.stderr}`;
}

// .ci/run installs systemd when systemd-analyze is missing, so this never skips in CI.
void test("systemd-analyze verify accepts both units without a warning", () => {
  assert.ok(HAS_ANALYZE, "systemd-analyze is not installed (apt-get install systemd)");
  assert.equal(analyze(join(root, "units"), [service, timer]), "");
  // The check can fail: a misspelt setting is reported.
  const broken = {
    name: service.name,
    content: service.content.replace("Type=oneshot", "Type=oneshoot"),
  };
  assert.match(analyze(join(root, "broken"), [broken, timer]), /oneshoot/);
});
