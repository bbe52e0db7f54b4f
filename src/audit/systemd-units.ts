import { posix } from "node:path";
import { VigilError } from "../errors.js";

export const SERVICE_UNIT = "vigil-audit-export.service";
export const TIMER_UNIT = "vigil-audit-export.timer";

export interface UnitOptions {
  /** The unprivileged user the export runs as (parseUserName). */
  readonly user: string;
  /** The locker's data directory (parseUnitPath); exports go to its audit/ subdirectory. */
  readonly dataDir: string;
  /** The vigil executable (parseUnitPath). */
  readonly bin: string;
}

export interface UnitFile {
  readonly name: string;
  readonly content: string;
}

/**
 * A POSIX user name from the portable filename character set (POSIX.1-2017
 * s3.437), at most 32 characters, starting with a letter or underscore so
 * systemd never reads it as a numeric uid. root is refused: the unit's
 * hardening assumes an unprivileged owner of the locker.
 */
export function parseUserName(text: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/.test(text))
    throw new VigilError("USAGE", `--user must be a POSIX user name, got ${JSON.stringify(text)}`);
  if (text === "root")
    throw new VigilError("USAGE", "--user must not be root: run the export as the locker's owner");
  return text;
}

/**
 * A path safe to write into a unit file unquoted: absolute, normalised, and
 * made only of characters that systemd's parser takes literally (no
 * whitespace, quotes, backslashes, `%` specifiers or `$` variables).
 */
export function parseUnitPath(flag: string, text: string): string {
  if (!/^\/[A-Za-z0-9._/@+-]*$/.test(text) || text === "/")
    throw new VigilError(
      "USAGE",
      `${flag} must be an absolute path of letters, digits and ._/@+- only, got ${JSON.stringify(text)}`,
    );
  if (posix.normalize(text) !== text || text.endsWith("/"))
    throw new VigilError("USAGE", `${flag} must be a normalised path (no //, . or .. parts), got ${text}`);
  return text;
}

/** ProtectHome=yes hides these trees from the service: a locker there could not be opened. */
function assertVisible(dataDir: string): void {
  for (const hidden of ["/home", "/root", "/run/user"])
    if (dataDir === hidden || dataDir.startsWith(`${hidden}/`))
      throw new VigilError(
        "USAGE",
        `--data ${dataDir} is under ${hidden}, which ProtectHome=yes hides from the service`,
      );
}

/** The daily export: a hardened oneshot service and its timer. */
export function auditExportUnits(o: UnitOptions): readonly [UnitFile, UnitFile] {
  assertVisible(o.dataDir);
  return [
    { name: SERVICE_UNIT, content: serviceUnit(o) },
    { name: TIMER_UNIT, content: timerUnit() },
  ];
}

function serviceUnit(o: UnitOptions): string {
  return lines([
    "# Written by `vigil systemd`: exports yesterday's (UTC) journal records once a day.",
    "[Unit]",
    "Description=Vigil audit export of yesterday's journal records",
    "After=local-fs.target",
    "",
    "[Service]",
    "Type=oneshot",
    `User=${o.user}`,
    // --yesterday: the day is computed by vigil's clock, so no shell (`date -d yesterday`) is needed.
    `ExecStart=${o.bin} --data ${o.dataDir} audit export --yesterday -o ${o.dataDir}/audit`,
    "UMask=0027",
    "NoNewPrivileges=yes",
    "ProtectSystem=strict",
    `ReadWritePaths=${o.dataDir}`,
    "ProtectHome=yes",
    "PrivateTmp=yes",
    "PrivateDevices=yes",
    "ProtectKernelTunables=yes",
    "ProtectKernelModules=yes",
    "ProtectControlGroups=yes",
    "RestrictAddressFamilies=AF_UNIX",
    "RestrictNamespaces=yes",
    "LockPersonality=yes",
    "SystemCallArchitectures=native",
    "CapabilityBoundingSet=",
    "# MemoryDenyWriteExecute= is deliberately not set: Node's JIT needs writable, executable memory.",
  ]);
}

function timerUnit(): string {
  return lines([
    "# Written by `vigil systemd`: runs vigil-audit-export.service daily.",
    "[Unit]",
    "Description=Daily Vigil audit export",
    "",
    "[Timer]",
    "OnCalendar=daily",
    "Persistent=true",
    "RandomizedDelaySec=15m",
    `Unit=${SERVICE_UNIT}`,
    "",
    "[Install]",
    "WantedBy=timers.target",
  ]);
}

function lines(ls: readonly string[]): string {
  return `${ls.join("\n")}\n`;
}
