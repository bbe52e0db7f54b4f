/** The `vigil` executable as a child process, for the kill -9 tests. */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";

export const BIN = new URL("../../../bin/vigil", import.meta.url).pathname;

/** Runs a vigil command to completion. */
export function vigil(data: string, ...args: string[]) {
  return spawnSync(process.execPath, [BIN, "--data", data, ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 28,
    env: { ...process.env, NO_COLOR: "1" },
  });
}

/**
 * Calls `kill` once `count()` reaches `target`, checked whenever `tick`
 * is called: the kill lands after a number of acknowledgements, not after a
 * time, so it is mid-way on a slow machine as on a fast one.
 */
export interface Killer {
  tick(): void;
  readonly killed: boolean;
}

export function killAfterAcks(child: ChildProcess, target: number, count: () => number): Killer {
  let killed = false;
  return {
    tick(): void {
      if (killed || count() < target) return;
      killed = true;
      child.kill("SIGKILL");
    },
    get killed() {
      return killed;
    },
  };
}

export interface Served {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves when the process has exited (however it ended). */
  readonly exited: Promise<void>;
}

/** Starts `vigil serve --port 0 --config FILE` and waits for the line that says where it listens. */
export function serve(data: string, config: string, env: Record<string, string> = {}): Promise<Served> {
  const args = [BIN, "--data", data, "serve", "--port", "0", "--config", config];
  const child = spawn(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  const exited = new Promise<void>((r) => child.once("close", () => r()));
  return new Promise((resolve, reject) => {
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      err += d;
      const m = /serving .* on (http:\/\/\S+)/.exec(err);
      if (m?.[1] !== undefined) resolve({ child, url: m[1], exited });
    });
    child.once("close", (code) => reject(new Error(`vigil serve exited (${code}) before listening: ${err}`)));
  });
}
