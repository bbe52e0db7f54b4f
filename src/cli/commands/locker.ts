import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { canonicalize, leafHash } from "../../journal/index.js";
import { initLocker } from "../../app/init-locker.js";
import { initPostgresLocker } from "../../app/open-locker.js";
import { systemClock } from "../../clock.js";
import { fsError, VigilError } from "../../errors.js";
import { runDoctor } from "../../app/doctor.js";
import { globalOptions, outputFor, setExitCode, withClient, withLocker } from "../context.js";
import { remoteCapable } from "../remote.js";
import { formatBytes, table } from "../output.js";
import { runDemo } from "./demo.js";

export function registerLockerCommands(program: Command): void {
  program
    .command("init")
    .description("create a locker: data directory, SQLite database, blob store, Ed25519 signing key")
    .option("--origin <origin>", "checkpoint origin / key name (default vigil.local/<locker id>)")
    .option(
      "--database-url <url>",
      "keep the journal in this PostgreSQL database instead of vigil.db (default $VIGIL_DATABASE_URL)",
    )
    .action(async (f: { origin?: string; databaseUrl?: string }, cmd: Command) => {
      const g = globalOptions(cmd);
      const url = f.databaseUrl ?? process.env.VIGIL_DATABASE_URL;
      const config =
        url === undefined || url === ""
          ? initLocker(g.data, systemClock, { origin: f.origin })
          : await initPostgresLocker(g.data, systemClock, url, { origin: f.origin });
      outputFor(cmd).result(
        { dataDir: g.data, ...config },
        () => `initialised locker ${config.lockerId} in ${g.data}\norigin ${config.origin}`,
      );
    });
  program
    .command("demo")
    .description("a short tour: init a locker, add sample evidence, anchor it, prove it, verify it")
    .action(async (_f: unknown, cmd: Command) => runDemo(globalOptions(cmd), outputFor(cmd)));
  remoteCapable(program.command("status"))
    .description("journal size, artifacts, latest anchor")
    .action(async (_f: unknown, cmd: Command) =>
      withClient(cmd, async (c, out) => {
        const value = await c.status();
        out.result(value, () =>
          table([
            ["locker", `${value.lockerId} (${value.origin})`],
            ["journal", `${value.journalSize} entries`],
            ["evidence", `${value.artifacts} artifacts, ${formatBytes(value.bytes)}`],
            ["index", value.indexLag === 0 ? "in step" : `${value.indexLag} entries behind`],
            [
              "anchor",
              value.latestAnchor === null
                ? "none yet"
                : `#${value.latestAnchor.seq} at size ${value.latestAnchor.size}, ${value.latestAnchor.createdAt} (${value.latestAnchor.unanchored} entries since)`,
            ],
          ]),
        );
      }),
    );
  program
    .command("doctor")
    .description("check storage, index, anchor age, key and disk space")
    .option("--max-anchor-age <seconds>", "warn when the latest anchor is older", "86400")
    .action(async (f: { maxAnchorAge: string }, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const checks = await runDoctor(v, Number(f.maxAnchorAge));
        out.result(checks, () =>
          checks
            .map(
              (c) =>
                `${c.status === "ok" ? out.color.ok("ok  ") : c.status === "warn" ? "warn" : out.color.bad("FAIL")}  ${c.name.padEnd(10)} ${c.detail}`,
            )
            .join("\n"),
        );
        if (checks.some((c) => c.status === "fail")) setExitCode(1);
      }),
    );
  const key = program.command("key").description("signing key");
  key
    .command("rotate")
    .description(
      "new signing key: a key.rotated record signed by the old and new keys, a last anchor by the old key, then only the new key signs",
    )
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const { rotateKey } = await import("../../app/rotate-key.js");
        const r = await rotateKey(v);
        out.result(r, () =>
          [
            `${r.resumed ? "finished the rotation" : "rotated"}: record at leaf ${r.recordLeaf}, sealed by anchor ${r.sealedBy} (old key)`,
            `new verifier key: ${r.to}`,
          ].join("\n"),
        );
      }),
    );
  key
    .command("history")
    .description("every signing key from the journal's key.rotated records, with the tree sizes it may sign")
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) => {
        const { loadKeyChain } = await import("../../log/key-chain.js");
        const chain = await loadKeyChain(v.log, v.verifier);
        const keys = chain.spans.map((s) => ({
          verifierKey: s.verifierKey ?? v.verifierKey,
          keyId: s.verifier.keyId.toString(16).padStart(8, "0"),
          fromSize: s.from,
          untilSize: s.until,
        }));
        out.result({ keys, problems: chain.problems }, () =>
          [
            ...keys.map((k) => `${k.keyId}  sizes ${k.fromSize}..${k.untilSize ?? "now"}  ${k.verifierKey}`),
            ...chain.problems.map((p) => `${out.color.bad("FAIL")}  ${p}`),
          ].join("\n"),
        );
        if (chain.problems.length > 0) setExitCode(1);
      }),
    );
  key
    .command("show")
    .description("print the verifier key (name+hexid+base64), to give to auditors")
    .action(async (_f: unknown, cmd: Command) =>
      withLocker(cmd, async (v, out) =>
        out.result(
          {
            verifierKey: v.verifierKey,
            name: v.signer.name,
            keyId: v.signer.keyId.toString(16).padStart(8, "0"),
          },
          () => v.verifierKey,
        ),
      ),
    );
  program
    .command("jcs <file>")
    .description("print a JSON document in RFC 8785 canonical form (--json adds its leaf hash)")
    .action((file: string, _f: unknown, cmd: Command) => {
      let text: string;
      try {
        text = readFileSync(file === "-" ? 0 : file, "utf8");
      } catch (e) {
        throw fsError(file, e, "cannot read");
      }
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        throw new VigilError("INPUT_INVALID", `${file}: not valid JSON (${(e as Error).message})`);
      }
      let canonical: string;
      try {
        canonical = canonicalize(value);
      } catch (e) {
        throw new VigilError("INPUT_INVALID", `${file}: ${(e as Error).message}`);
      }
      const out = outputFor(cmd);
      if (out.json)
        out.result(
          { canonical, leafHash: leafHash(Buffer.from(canonical)).toString("hex") },
          () => canonical,
        );
      else process.stdout.write(canonical);
    });
}
