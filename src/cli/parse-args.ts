import { VigilError } from "../errors.js";

export function parseIntArg(name: string, min = 0, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v))
      throw new VigilError("USAGE", `${name} must be a whole number, got ${JSON.stringify(v)}`);
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < min) throw new VigilError("USAGE", `${name} must be at least ${min}`);
    if (n > max) throw new VigilError("USAGE", `${name} must be at most ${max}`);
    return n;
  };
}

/** --label k=v, repeatable. */
export function collectLabel(v: string, prev: Record<string, string> = {}): Record<string, string> {
  const eq = v.indexOf("=");
  if (eq <= 0) throw new VigilError("USAGE", `--label must be key=value, got ${JSON.stringify(v)}`);
  return { ...prev, [v.slice(0, eq)]: v.slice(eq + 1) };
}

export function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function parseDuration(v: string): number {
  const m = /^(\d+)([smhd])$/.exec(v);
  if (m === null)
    throw new VigilError("USAGE", `duration must look like 30s, 15m, 24h or 365d, got ${JSON.stringify(v)}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as "s" | "m" | "h" | "d"];
  return Number(m[1]) * unit;
}
