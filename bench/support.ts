/**
 * Shared pieces for the benchmarks: the compact result tables every benchmark prints, target
 * outcomes for the runner's summary, statistics, temporary folders, a seeded random source and
 * the production flags and log line of a real service process.
 * Realistic Telegram data (peers, texts, update containers) is in `bench/data.ts`.
 *
 * Benchmarks are not timed tests: they print figures, the target beside each and whether it is
 * met, and never fail on a figure. Every ratio is against a baseline measured in the same process.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";

// ---------------------------------------------------------------- results

/** One line of a result table. `met` is shown as yes/no when a target applies. */
export interface ResultRow {
  metric: string;
  value: string;
  target?: string;
  met?: boolean;
}

/** A target's outcome, collected by `bench/run.ts` into the final summary. */
export interface TargetOutcome {
  bench: string;
  target: string;
  figure: string;
  met: boolean;
}

/** Prints a compact table: metric, value, target, met. */
export function printTable(title: string, rows: readonly ResultRow[]): void {
  const cells = rows.map((r) => [
    r.metric,
    r.value,
    r.target ?? "",
    r.met === undefined ? "" : r.met ? "yes" : "NO",
  ]);
  const head = ["metric", "value", "target", "met"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    `  ${c.map((x, i) => (i === 1 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join("  ")}`.trimEnd();
  console.log(`\n${title}`);
  console.log(line(head));
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const c of cells) console.log(line(c));
}

/** Reports a target outcome: a marker line `bench/run.ts` collects for its summary. */
export function reportTarget(outcome: TargetOutcome): void {
  console.log(`##TARGET ${JSON.stringify(outcome)}`);
}

/** Percentiles and extremes of a sample of durations (ms). */
export interface Stats {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles. */
export function stats(samples: readonly number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
  const mean = s.reduce((a, b) => a + b, 0) / Math.max(1, s.length);
  return { n: s.length, p50: at(50), p90: at(90), p99: at(99), max: s[s.length - 1] ?? 0, mean };
}

/** Formats milliseconds with a unit that keeps three significant digits readable. */
export function ms(x: number): string {
  return x < 1 ? `${(x * 1000).toFixed(0)} µs` : x < 100 ? `${x.toFixed(2)} ms` : `${x.toFixed(0)} ms`;
}

/** Formats a rate with thousands separators. */
export function perSec(n: number, elapsedMs: number, unit = "msg/s"): string {
  return `${Math.round((n * 1000) / elapsedMs).toLocaleString("en-US")} ${unit}`;
}

/** Runs a full GC when the process was started with --expose-gc (bench/run.ts does). */
export function gc(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** A fresh temporary folder; remove it with `removeDir`. */
export function makeTempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}

export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** Yields to the event loop once (lets setImmediate work run). */
export function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

// ---------------------------------------------------------------- random

/** A small seeded PRNG (mulberry32), so every run builds the same data. */
export type Rng = () => number;

export function seeded(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Rng, list: readonly T[]): T {
  return list[Math.floor(rng() * list.length)]!;
}

export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + Math.floor(rng() * (hi - lo + 1));
}

/** A result row for a latency sample: "p50 / p90 / p99 / max", with a p99 target when given. */
export function latencyRow(metric: string, s: Stats, p99TargetMs?: number): ResultRow {
  const value = `${ms(s.p50)} / ${ms(s.p90)} / ${ms(s.p99)} / ${ms(s.max)}`;
  if (p99TargetMs === undefined) return { metric, value };
  return { metric, value, target: `p99 < ${ms(p99TargetMs)}`, met: s.p99 < p99TargetMs };
}

/**
 * The V8 flags the service runs with (`npm start`, Dockerfile, systemd unit): benchmarks measure
 * what users run.
 */
export const PRODUCTION_V8_FLAGS = ["--max-semi-space-size=4"];

/** The environment the service runs with besides its settings (`npm start`, Dockerfile, systemd unit). */
export const PRODUCTION_ENV: Record<string, string> = { MALLOC_ARENA_MAX: "2" };

/**
 * An `--import` for a child process: at exit it prints `##PEAK_RSS_KB n` to stderr (read it with
 * `peakRssMbOf`). Linux's VmHWM of the process, not `resourceUsage().maxRSS`: Linux carries maxRSS
 * over an exec, so a child spawned from a parent with a larger RSS reports the parent's (a parent
 * at 350 MB after filling a database made every child read 350 MB, where VmHWM said 140 MB).
 * maxRSS where /proc is missing.
 */
export const PEAK_RSS_HOOK = `data:text/javascript,${encodeURIComponent(
  `process.on("exit", () => {
    let kb = process.resourceUsage().maxRSS;
    try {
      const status = process.getBuiltinModule("node:fs").readFileSync("/proc/self/status", "utf8");
      kb = Number(/VmHWM:\\s*(\\d+)/.exec(status)[1]);
    } catch {}
    process.stderr.write("##PEAK_RSS_KB " + kb + "\\n");
  });`,
)}`;

/** The peak RSS (MB) a child started with `PEAK_RSS_HOOK` printed on `stderr`; NaN if none. */
export function peakRssMbOf(stderr: string): number {
  return (Number(/##PEAK_RSS_KB (\d+)/.exec(stderr)?.[1]) * 1024) / 1e6;
}

/**
 * The port a service process says it listens on: its "http listening" log line (`HEALTH_PORT=0`
 * lets the system pick one). `child` must be spawned with stdout piped; its stdout is read to the
 * end, so the child never stalls on a full pipe, and `onLine` sees every line after the port is known
 * too (a benchmark counting warnings, say). Rejects when the child exits first.
 */
export function waitForHttpPort(child: ChildProcess, onLine?: (line: string) => void): Promise<number> {
  const lines = createInterface({ input: child.stdout! });
  let seen: string | null = ""; // what it said before listening, for the error; null once listening
  return new Promise((resolve, reject) => {
    lines.on("line", (line) => {
      onLine?.(line);
      if (seen === null) return;
      const port = line.includes('"http listening"') ? (JSON.parse(line) as { port?: unknown }).port : null;
      if (typeof port === "number") {
        seen = null;
        resolve(port);
      } else seen += `${line}\n`;
    });
    child.once("exit", (code) => reject(new Error(`exited ${code} before listening: ${seen}`)));
  });
}
