// Case registry, timing and reporting shared by every scenario (shape of
// bufbuild/protobuf-es protobuf-bench: cases named `scenario/operation/fixture`,
// selected by regex, fixtures from a seed, a baseline next to every figure).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { REPO_ROOT } from "./dist.js";

export interface BenchContext {
  quick: boolean;
  seed: number;
  /** Output rows go to the table and to bench/results/<scenario>-<stamp>.json. */
  log: (line: string) => void;
}

/** One figure of ours next to the same figure for the baseline measured in
 * the same run. `higherIsBetter` decides which way the ratio reads. */
export interface Row {
  case: string;
  figure: string;
  unit: string;
  ours: number;
  baselineName: string;
  baseline: number | null;
  higherIsBetter: boolean;
}

export interface BenchCase {
  name: string;
  /** Cases too slow for --quick (e.g. 100k devices) are skipped there. */
  fullOnly?: boolean;
  run(ctx: BenchContext): Promise<CaseResult>;
}

export interface CaseResult {
  rows: Row[];
  /** Everything else worth keeping (raw samples, settings), written as JSON. */
  details: Record<string, unknown>;
}

/** Deterministic PRNG (mulberry32) so fixtures are identical across runs. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

/** Iterations per batch so one batch lasts about `batchMs`: long enough that
 * timer resolution does not matter, short enough to give many samples. */
function calibrate(fn: () => unknown, batchMs: number): number {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    const elapsed = performance.now() - t0;
    if (elapsed >= batchMs / 4 || n >= 1 << 20) return Math.max(1, Math.round((n * batchMs) / Math.max(elapsed, 0.001)));
    n *= 2;
  }
}

/** Median µs per call of `ours` and `baseline`, batches interleaved so that
 * both see the same machine state (CPU frequency, other tenants, GC debt). */
export interface Timed {
  /** Median wall-clock µs per call. */
  oursUs: number;
  baselineUs: number;
  /** Median CPU µs per call (this process, user + system): on shared cores
   * it leaves out the time other tenants held the CPU, which wall time
   * counts. */
  oursCpuUs: number;
  baselineCpuUs: number;
  batches: number;
}

export function compareTimed(ours: () => unknown, baseline: () => unknown, budgetMs: number): Timed {
  const batchMs = Math.min(50, budgetMs / 10);
  const nOurs = calibrate(ours, batchMs);
  const nBase = calibrate(baseline, batchMs);
  const samplesOurs: number[] = [];
  const samplesBase: number[] = [];
  const cpuOurs: number[] = [];
  const cpuBase: number[] = [];
  const batch = (fn: () => unknown, n: number, wall: number[], cpu: number[]): void => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn();
    wall.push(((performance.now() - t0) * 1000) / n);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / n);
  };
  const end = performance.now() + budgetMs;
  while (performance.now() < end || samplesOurs.length < 5) {
    batch(ours, nOurs, samplesOurs, cpuOurs);
    batch(baseline, nBase, samplesBase, cpuBase);
  }
  return { oursUs: median(samplesOurs), baselineUs: median(samplesBase), oursCpuUs: median(cpuOurs), baselineCpuUs: median(cpuBase), batches: samplesOurs.length };
}

function fmt(value: number | null): string {
  if (value === null || Number.isNaN(value)) return "–";
  const abs = Math.abs(value);
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** ours / baseline, or baseline / ours when lower is better, so that the
 * printed ratio is always "fraction of the baseline we reach" (1 = as good). */
export function ratio(row: Row): number | null {
  if (row.baseline === null || row.baseline === 0 || row.ours === 0) return null;
  return row.higherIsBetter ? row.ours / row.baseline : row.baseline / row.ours;
}

export function formatTable(rows: Row[]): string {
  const header = ["case", "figure", "ours", "baseline", "baseline value", "ours/baseline"];
  const body = rows.map((r) => [r.case, `${r.figure} (${r.unit})`, fmt(r.ours), r.baselineName, fmt(r.baseline), ratio(r) === null ? "–" : `${(ratio(r) as number * 100).toFixed(0)}%`]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] as string).length)));
  const line = (cells: string[]): string => "| " + cells.map((c, i) => c.padEnd(widths[i] as number)).join(" | ") + " |";
  return [line(header), "|" + widths.map((w) => "-".repeat(w + 2)).join("|") + "|", ...body.map(line)].join("\n");
}

export function writeResults(scenario: string, payload: Record<string, unknown>): string {
  const dir = join(REPO_ROOT, "bench", "results");
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const file = join(dir, `${scenario}-${stamp}.json`);
  writeFileSync(file, JSON.stringify(payload, null, 2) + "\n");
  return file;
}
