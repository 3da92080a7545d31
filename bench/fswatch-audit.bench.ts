/**
 * File-audit benchmarks, each beside baselines measured in the same run:
 *  1. burst: N files created at once by another process → `file.created` rows (0 lost), beside how
 *     many files each watcher alone (bench/fswatch-watchers.ts: chokidar's plain defaults, the
 *     baseline, and the `fs-watch` folder watcher; every configuration with `--all-watchers`) said
 *     were added for the same burst; the audit runs with its default watcher, chokidar. Bursts run one after another, and on a
 *     small machine only the first is written at full speed (~5 s for 100,000 files; later ones
 *     took 40-80 s while the kernel still wrote back the one before): each line says how long
 *     its writer took;
 *  2. watching an N-file tree: time to ready and RSS of every watcher configuration alone and of
 *     the whole file audit with each `watcher` setting (each in a fresh process, with the
 *     service's V8 flags);
 *  3. `scan` of N unchanged files vs a bare walk (readdir + lstat) of the same tree;
 *  4. one modified file → its row: p50/p99 latency beside the settle window.
 * Run: node bench/run.ts fswatch-audit [--all-watchers]   (FSWATCH_BENCH_FILES=100000 by default)
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { scanOnce, startApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { pathFilter } from "../src/fswatch/config/filters.ts";
import type { WatcherKind } from "../src/fswatch/config/watch-config.ts";
import { walkRoot } from "../src/fswatch/reconcile/observe.ts";
import { silentLogger } from "../src/log.ts";
import {
  type BurstFigures,
  burst,
  PER_DIR,
  type ReadyFigures,
  WATCHERS,
  waitQuiet,
} from "./fswatch-watchers.ts";
import { PRODUCTION_V8_FLAGS, printTable, type ResultRow, reportTarget } from "./support.ts";

const SELF = fileURLToPath(import.meta.url);
const WATCHERS_SCRIPT = fileURLToPath(new URL("./fswatch-watchers.ts", import.meta.url));
const N = Number(process.env.FSWATCH_BENCH_FILES ?? 100_000);
const SETTLE_MS = 300;
const READY_TARGET_MS = 3000;
const RSS_TARGET = 200e6;
const BASELINE = "chokidar-defaults";
/** The `fs-watch` watcher alone (`"watcher": "fs-watch"`). */
const CHOSEN = "folder-watcher";
const BURST_WATCHERS = process.argv.includes("--all-watchers") ? Object.keys(WATCHERS) : [BASELINE, CHOSEN];

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function watchConfig(file: string, root: string, watcher: WatcherKind = "chokidar"): void {
  writeFileSync(
    file,
    JSON.stringify({ settle_ms: SETTLE_MS, watcher, directories: [{ path: root, poll_interval: 3600 }] }),
  );
}

/** Child process: time to ready + RSS of the whole file audit on `root`. */
async function childAudit(root: string, data: string, watcher: WatcherKind): Promise<ReadyFigures> {
  let peak = 0;
  const iv = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  const cfg = path.join(data, `watch-${watcher}.json`);
  watchConfig(cfg, root, watcher);
  const app = await startApp({
    config: loadConfig({ DATA_ROOT: data, WATCH_CONFIG: cfg }),
    logger: silentLogger(),
  });
  await app.idle();
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss;
  await sleep(1000);
  const rssAfter = process.memoryUsage().rss;
  clearInterval(iv);
  await app.stop();
  return { ms, rss, rssAfter, peak: Math.max(peak, rss, rssAfter) };
}

/** Runs `script args` in a fresh Node process (the service's V8 flags unless told) and parses its JSON. */
function measureChild<T>(script: string, args: string[], flags: string[] = PRODUCTION_V8_FLAGS): T {
  const out = execFileSync(process.execPath, [...flags, script, ...args], { encoding: "utf8" });
  return JSON.parse(out) as T;
}

/** Runs every file-audit benchmark and prints figures and ratios. */
export async function main(): Promise<void> {
  const base = mkdtempSync(path.join(tmpdir(), "tl-fsw-bench-"));
  try {
    console.log(`file audit benchmarks, N = ${N} files, settle window ${SETTLE_MS} ms`);
    // 1. Burst: each watcher alone, then the file audit.
    const bursts = new Map<string, BurstFigures>();
    for (const kind of BURST_WATCHERS) {
      const dir = path.join(base, `burst-${kind}`);
      mkdirSync(dir);
      bursts.set(kind, measureChild<BurstFigures>(WATCHERS_SCRIPT, ["burst", kind, dir, String(N)]));
      rmSync(dir, { recursive: true, force: true });
    }

    const root = path.join(base, "root");
    const data = path.join(base, "data");
    mkdirSync(root);
    const cfg = path.join(base, "watch.json");
    watchConfig(cfg, root);
    const app = await startApp({
      config: loadConfig({ DATA_ROOT: data, WATCH_CONFIG: cfg }),
      logger: silentLogger(),
    });
    await app.idle();
    const count = (type: string) =>
      (
        app.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = ?").get(type) as {
          n: number;
        }
      ).n;
    const t0 = performance.now();
    await burst(root, N);
    const written = performance.now() - t0;
    await waitQuiet(() => count("file.created"), 5000, 300_000, N);
    const allIn = performance.now() - t0;
    await app.idle();
    const rows = count("file.created");
    const burstRows: ResultRow[] = [...bursts].map(([kind, b]) => ({
      metric: `${WATCHERS[kind]!.label} alone`,
      value: `${b.delivered} named (${N - b.delivered} lost), burst written in ${sec(b.writtenMs)}`,
    }));
    burstRows.push({
      metric: "file audit: file.created rows",
      value: `${rows} (${N - rows} lost), written in ${sec(written)}, all in ${sec(allIn)}`,
      target: `${N}, 0 lost`,
      met: rows === N,
    });
    printTable(`Burst: ${N} files created at once (${N / PER_DIR} new folders)`, burstRows);
    reportTarget({
      bench: "fswatch-audit",
      target: `${N} files created in a burst → ${N} file.created rows, 0 lost`,
      figure: `${rows} rows (${N - rows} lost)`,
      met: rows === N,
    });

    // 4. Latency of one modification, while the N-file tree is watched.
    const lat: number[] = [];
    const target = path.join(root, "d0", "f0.txt");
    for (let i = 0; i < 40; i++) {
      const before = count("file.modified");
      const t = performance.now();
      writeFileSync(target, `v${i}`);
      while (count("file.modified") === before) await sleep(5);
      lat.push(performance.now() - t);
      await app.idle();
    }
    lat.sort((a, b) => a - b);
    const pct = (p: number) => lat[Math.min(lat.length - 1, Math.floor((p / 100) * lat.length))]!.toFixed(0);
    console.log(
      `latency, one modified file → its row (${lat.length} samples): p50 ${pct(50)} ms, p99 ${pct(99)} ms; settle window ${SETTLE_MS} ms (p50 − settle = ${(Number(pct(50)) - SETTLE_MS).toFixed(0)} ms)`,
    );
    await app.stop();

    // 3. scan of N unchanged files vs a bare walk.
    const w0 = performance.now();
    const walked = await walkRoot(root, pathFilter(["*"], [], []));
    const walkMs = performance.now() - w0;
    const env = loadConfig({ DATA_ROOT: data, WATCH_CONFIG: cfg });
    const s0 = performance.now();
    const [outcome] = await scanOnce(env, silentLogger());
    const scanMs = performance.now() - s0;
    const changed = outcome?.online ? Object.values(outcome.counts).reduce((a, b) => a + b, 0) : -1;
    console.log(
      `scan of ${walked.files.size} unchanged files: ${sec(scanMs)} (${changed} changes) vs bare walk ${sec(walkMs)}: ratio ${(scanMs / walkMs).toFixed(2)}×`,
    );

    // 2. Watching the N-file tree: ready and RSS, each in a fresh process.
    const ready = new Map<string, ReadyFigures>();
    for (const kind of Object.keys(WATCHERS))
      ready.set(kind, measureChild(WATCHERS_SCRIPT, ["ready", kind, root]));
    const audits = (["chokidar", "fs-watch"] as const).map((kind) => ({
      kind,
      r: measureChild<ReadyFigures>(SELF, ["child", root, data, kind]),
    }));
    const c = ready.get(BASELINE)!;
    const figures = (r: ReadyFigures) =>
      `ready ${sec(r.ms)}, RSS ${mb(r.rss)} (1 s later ${mb(r.rssAfter)}, peak ${mb(r.peak)})`;
    const readyRows: ResultRow[] = [...ready].map(([kind, r]) => ({
      metric: `${WATCHERS[kind]!.label} alone`,
      value: `${figures(r)}; ×${(r.rss / c.rss).toFixed(2)} RSS of chokidar's plain defaults`,
    }));
    for (const { kind, r } of audits) {
      const met = r.ms <= READY_TARGET_MS && r.rss <= RSS_TARGET;
      readyRows.push({
        metric: `file audit, "watcher": "${kind}" (watcher + reconcile + the rest of the service)`,
        value: `${figures(r)}; ×${(r.ms / c.ms).toFixed(2)} time, ×${(r.rss / c.rss).toFixed(2)} RSS of chokidar's plain defaults`,
        target: `ready ≤ ${sec(READY_TARGET_MS)}, RSS ≤ ${mb(RSS_TARGET)}`,
        met,
      });
      reportTarget({
        bench: "fswatch-audit",
        target: `watching a ${N}-file tree with "watcher": "${kind}": ready ≤ ${sec(READY_TARGET_MS)}, RSS ≤ ${mb(RSS_TARGET)}`,
        figure: `ready ${sec(r.ms)}, RSS ${mb(r.rss)} (chokidar plain defaults alone: ${sec(c.ms)}, ${mb(c.rss)})`,
        met,
      });
    }
    printTable(`Watching a ${N}-file tree (flags ${PRODUCTION_V8_FLAGS.join(" ")})`, readyRows);
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[2] === "child") {
  const kind = (process.argv[5] ?? "chokidar") as WatcherKind;
  process.stdout.write(JSON.stringify(await childAudit(process.argv[3]!, process.argv[4]!, kind)));
} else if (process.argv[1] === SELF) await main();
