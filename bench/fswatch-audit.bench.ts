/**
 * File-audit benchmarks (issue 4), each beside a baseline measured in the same run:
 *  1. burst: N files created at once by another process → `file.created` rows (0 lost), beside how
 *     many `add` events chokidar alone (plain defaults) delivered for the same burst;
 *  2. watching an N-file tree: time to ready and RSS of the file audit vs chokidar's plain defaults
 *     (each in a fresh process);
 *  3. `scan` of N unchanged files vs a bare walk (readdir + lstat) of the same tree;
 *  4. one modified file → its row: p50/p99 latency beside the settle window.
 * Run: node bench/fswatch-audit.bench.ts   (FSWATCH_BENCH_FILES=100000 by default)
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { watch } from "chokidar";
import { scanOnce, startApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { pathFilter } from "../src/fswatch/filters.ts";
import { walkRoot } from "../src/fswatch/observe.ts";
import { silentLogger } from "../src/log.ts";

const SELF = fileURLToPath(import.meta.url);
const N = Number(process.env.FSWATCH_BENCH_FILES ?? 100_000);
const PER_DIR = 1000;
const SETTLE_MS = 300;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (b: number) => `${(b / 1e6).toFixed(0)} MB`;

/** Creates `n` files under `dir` from a separate process (the watcher's event loop stays free). */
function burst(dir: string, n: number, prefix: string): Promise<void> {
  const code = `const fs=require("fs");const [dir,n,p,per]=process.argv.slice(1);for(let d=0;d<Math.ceil(n/per);d++){const s=dir+"/"+p+d;fs.mkdirSync(s,{recursive:true});for(let i=0;i<per&&d*per+i<n;i++)fs.writeFileSync(s+"/f"+i+".txt","x");}`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["-e", code, dir, String(n), prefix, String(PER_DIR)], {
      stdio: "inherit",
    });
    c.once("exit", (s) => (s === 0 ? resolve() : reject(new Error(`writer exited ${s}`))));
  });
}

async function waitQuiet(
  read: () => number,
  quietMs: number,
  maxMs: number,
  target = Number.POSITIVE_INFINITY,
) {
  const start = Date.now();
  let last = read();
  let lastChange = Date.now();
  while (Date.now() - start < maxMs && read() < target) {
    await sleep(100);
    const v = read();
    if (v !== last) {
      last = v;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > quietMs) break;
  }
  return read();
}

function watchConfig(file: string, root: string): void {
  writeFileSync(
    file,
    JSON.stringify({ settle_ms: SETTLE_MS, directories: [{ path: root, poll_interval: 3600 }] }),
  );
}

/** Child process: time to ready + RSS of one watcher kind on `root`. */
async function child(kind: string, root: string, data: string): Promise<void> {
  let peak = 0;
  const iv = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  let close: () => Promise<void>;
  if (kind === "chokidar") {
    const w = watch(root);
    await new Promise<void>((r) => w.once("ready", () => r()));
    close = () => w.close();
  } else {
    const cfg = path.join(data, "watch.json");
    watchConfig(cfg, root);
    const app = await startApp({
      config: loadConfig({ DATA_ROOT: data, WATCH_CONFIG: cfg }),
      logger: silentLogger(),
    });
    await app.idle();
    close = () => app.stop();
  }
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss;
  await sleep(1000);
  const rssAfter = process.memoryUsage().rss;
  clearInterval(iv);
  peak = Math.max(peak, rss, rssAfter);
  await close();
  process.stdout.write(JSON.stringify({ ms, rss, rssAfter, peak }));
}

function measureChild(kind: string, root: string, data: string, flags: string[] = []) {
  const out = execFileSync(process.execPath, [...flags, SELF, "child", kind, root, data], {
    encoding: "utf8",
  });
  return JSON.parse(out) as { ms: number; rss: number; rssAfter: number; peak: number };
}

/** Runs every file-audit benchmark and prints figures and ratios. */
export async function main(): Promise<void> {
  const base = mkdtempSync(path.join(tmpdir(), "tl-fsw-bench-"));
  try {
    console.log(`file audit benchmarks, N = ${N} files, settle window ${SETTLE_MS} ms`);
    // 1. Burst: chokidar alone (plain defaults) vs the file audit.
    const plainDir = path.join(base, "plain");
    mkdirSync(plainDir);
    const plain = watch(plainDir);
    await new Promise<void>((r) => plain.once("ready", () => r()));
    let plainAdds = 0;
    plain.on("add", () => plainAdds++);
    await burst(plainDir, N, "d");
    const delivered = await waitQuiet(() => plainAdds, 3000, 120_000, N);
    await plain.close();
    rmSync(plainDir, { recursive: true, force: true });

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
    const rows = () =>
      (
        app.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'file.created'").get() as {
          n: number;
        }
      ).n;
    const t0 = performance.now();
    await burst(root, N, "d");
    const written = performance.now() - t0;
    const got = await waitQuiet(rows, 5000, 300_000, N);
    const allIn = performance.now() - t0;
    await app.idle();
    console.log(
      `burst: ${N} files written in ${(written / 1000).toFixed(1)} s; chokidar alone delivered ${delivered} adds (${N - delivered} lost); ` +
        `file audit recorded ${rows()} file.created rows (${N - rows()} lost), all in ${(allIn / 1000).toFixed(1)} s after the burst began`,
    );
    void got;

    // 4. Latency of one modification, while the 100k tree is watched.
    const lat: number[] = [];
    const target = path.join(root, "d0", "f0.txt");
    const mods = () =>
      (
        app.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = 'file.modified'").get() as {
          n: number;
        }
      ).n;
    for (let i = 0; i < 40; i++) {
      const before = mods();
      const t = performance.now();
      writeFileSync(target, `v${i}`);
      while (mods() === before) await sleep(5);
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
      `scan of ${walked.files.size} unchanged files: ${(scanMs / 1000).toFixed(2)} s (${changed} changes) vs bare walk ${(walkMs / 1000).toFixed(2)} s: ratio ${(scanMs / walkMs).toFixed(2)}×`,
    );

    // 2. Watching the N-file tree: ready and RSS, each in a fresh process.
    const c = measureChild("chokidar", root, path.join(base, "unused"));
    const a = measureChild("audit", root, data);
    console.log(
      `watch ${N}-file tree: chokidar plain defaults ready ${(c.ms / 1000).toFixed(2)} s, RSS ${mb(c.rss)} (peak ${mb(c.peak)}); ` +
        `file audit (watchers + reconcile) ready ${(a.ms / 1000).toFixed(2)} s, RSS ${mb(a.rss)} (peak ${mb(a.peak)}); ratio time ${(a.ms / c.ms).toFixed(2)}×, RSS ${(a.rss / c.rss).toFixed(2)}×`,
    );
    const small = measureChild("audit", root, data, ["--max-semi-space-size=1", "--max-old-space-size=160"]);
    console.log(
      `  same with --max-semi-space-size=1 --max-old-space-size=160: ready ${(small.ms / 1000).toFixed(2)} s, RSS ${mb(small.rss)} (peak ${mb(small.peak)})`,
    );
  } finally {
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[2] === "child") await child(process.argv[3]!, process.argv[4]!, process.argv[5]!);
else if (process.argv[1] === SELF) await main();
