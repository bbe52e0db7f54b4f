export interface Figure {
  readonly figure: string;
  readonly value: number;
  readonly unit: string;
  readonly target?: string;
}

/** Prints figures as an aligned table, and as one JSON line for bench/run-all. */
export function report(name: string, figures: readonly Figure[]): void {
  const fmt = (v: number) => (v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(3));
  process.stdout.write(`\n== ${name}\n`);
  for (const f of figures) {
    process.stdout.write(
      `  ${f.figure.padEnd(52)} ${fmt(f.value).padStart(12)} ${f.unit.padEnd(12)} ${f.target ? `target ${f.target}` : ""}\n`,
    );
  }
  process.stdout.write(`BENCH ${JSON.stringify({ name, figures })}\n`);
}
