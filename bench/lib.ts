/**
 * Shared helpers for the benchmark scripts: timing, statistics and the result table.
 * Benchmarks report; they never gate (every script exits 0 unless it crashes or a sanity check fails).
 */
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

/** 1234567 -> "1.23M", 12345 -> "12.3k". */
export function si(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toPrecision(3)}G`;
  if (abs >= 1e6) return `${(value / 1e6).toPrecision(3)}M`;
  if (abs >= 1e3) return `${(value / 1e3).toPrecision(3)}k`;
  return value.toPrecision(3);
}

export function perSecond(value: number, unit: string): string {
  return `${si(value)} ${unit}/s`;
}

export function ms(value: number): string {
  if (value < 0.01) return `${(value * 1000).toFixed(2)} µs`;
  if (value < 1) return `${(value * 1000).toFixed(1)} µs`;
  return `${value.toFixed(value < 100 ? 2 : 0)} ms`;
}

export function mb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

export function ratio(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)}x`;
}

/** A check that must hold for a figure to mean anything (every input accepted, every event received). */
export function sanity(condition: boolean, message: string): asserts condition {
  if (!condition) {
    console.error(`SANITY CHECK FAILED: ${message}`);
    process.exit(2);
  }
}

export interface Row {
  readonly measurement: string;
  readonly figure: string;
  readonly baseline: string;
  readonly ratio: string;
  readonly target: string;
  /** true: PASS, false: FAIL, null: informational (no target). */
  readonly pass: boolean | null;
}

const RESULT_PREFIX = 'BENCH_RESULT ';

/** Prints the table, plus one machine-readable line per row that `run-all` collects into a summary. */
export function report(title: string, rows: readonly Row[], notes: readonly string[] = []): void {
  const header = ['Measurement', 'Figure', 'Baseline', 'Ratio', 'Target', 'Result'];
  const cells = rows.map((r) => [r.measurement, r.figure, r.baseline, r.ratio, r.target, r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL']);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: readonly string[]): string => `| ${c.map((v, i) => v.padEnd(widths[i]!)).join(' | ')} |`;
  console.log(`\n## ${title}\n`);
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const c of cells) console.log(line(c));
  for (const note of notes) console.log(`  note: ${note}`);
  for (const r of rows) console.log(`${RESULT_PREFIX}${JSON.stringify({ bench: title, ...r })}`);
}

export function parseResultLine(line: string): (Row & { bench: string }) | null {
  if (!line.startsWith(RESULT_PREFIX)) return null;
  try {
    return JSON.parse(line.slice(RESULT_PREFIX.length)) as Row & { bench: string };
  } catch {
    return null;
  }
}

/** Lets pending timers and I/O run (and microtasks drain) before the next step. */
export function macrotask(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
