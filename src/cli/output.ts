/**
 * Terminal output: human text or --json, colour only on a TTY and never
 * with NO_COLOR (https://no-color.org), progress only on a TTY stderr.
 */
export interface Output {
  readonly json: boolean;
  /** A result: JSON (one document) with --json, else the human rendering. */
  result(value: unknown, human: () => string): void;
  /** A line of JSON per item (JSONL) with --json, else the human line. */
  line(value: unknown, human: string): void;
  info(text: string): void;
  progress(label: string, done: number, total?: number): void;
  endProgress(): void;
  readonly color: Colors;
}

export interface Colors {
  ok(s: string): string;
  bad(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
}

export function createOutput(json: boolean, env: NodeJS.ProcessEnv = process.env): Output {
  const colorOn = process.stdout.isTTY === true && env.NO_COLOR === undefined && env.TERM !== "dumb";
  const progressOn = process.stderr.isTTY === true && !json;
  const paint = (code: string) => (s: string) => (colorOn ? `\u001b[${code}m${s}\u001b[0m` : s);
  let lastProgress = 0;
  let progressShown = false;
  return {
    json,
    color: { ok: paint("32"), bad: paint("31"), dim: paint("2"), bold: paint("1") },
    result(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : `${human()}\n`);
    },
    line(value, human) {
      process.stdout.write(json ? `${JSON.stringify(value)}\n` : `${human}\n`);
    },
    info(text) {
      if (!json) process.stderr.write(`${text}\n`);
    },
    progress(label, done, total) {
      if (!progressOn) return;
      const now = Date.now();
      if (now - lastProgress < 100 && done !== total) return;
      lastProgress = now;
      progressShown = true;
      const pct = total ? ` ${((100 * done) / total).toFixed(0)}%` : "";
      process.stderr.write(`\r\u001b[K${label}: ${done}${total ? `/${total}` : ""}${pct}`);
    },
    endProgress() {
      if (progressShown) process.stderr.write("\r\u001b[K");
      progressShown = false;
    },
  };
}

export function formatBytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${n} B` : `${v.toFixed(1)} ${units[u]}`;
}

export function table(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows
    .map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  "))
    .join("\n");
}
