/**
 * The idle service: time from spawn to a healthy /health, resident memory once settled, /health
 * latency, and SIGTERM-to-exit time, against a baseline in the same run: a bare Node process that
 * answers HTTP (the floor any Node service pays). Goal: RSS < 120 MB, start to healthy < 1 s.
 *
 * The service runs the file audit alone with a 1,000-file folder in WATCH_CONFIG, started as
 * `npm start`, the Docker image and the systemd unit start it: the production V8 flags and a
 * compile cache (NODE_COMPILE_CACHE, src/commands/warm-cache.ts). Measured, in this order:
 * - first start: empty data folder (the folder's baseline scan runs) and empty compile cache, as the
 *   first `npm start` after an install or upgrade;
 * - restart: the same data folder and the compile cache the first start filled (every later start;
 *   the Docker image and the systemd unit fill the cache beforehand, so their first start is this);
 * - restart without a compile cache: `node src/main.ts run` started some other way;
 * - with Telegram configured: the real app on an offline GramJS client (bench/ops-idle-telegram.ts),
 *   restarted with its compile cache filled. The fake Telegram's own modules count in its RSS.
 * RSS is split into anonymous memory (heaps) and file pages (mostly the node binary's code).
 *
 *   node bench/run.ts ops-idle
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  PRODUCTION_ENV,
  PRODUCTION_V8_FLAGS,
  printTable,
  type ResultRow,
  reportTarget,
  waitForHttpPort,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TELEGRAM_CHILD = fileURLToPath(new URL("./ops-idle-telegram.ts", import.meta.url));
const BARE = `require("node:http").createServer((q, s) => s.end("ok")).listen(0, "127.0.0.1", function () { console.log(JSON.stringify({ msg: "http listening", port: this.address().port })); });`;
const TARGET_RSS_MB = 120;
const TARGET_START_MS = 1000;

function memoryMb(pid: number): { rss: number; anon: number; file: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: kb("VmRSS") / 1024, anon: kb("RssAnon") / 1024, file: kb("RssFile") / 1024 };
}

interface Figures {
  startMs: number;
  rssMb: number;
  anonMb: number;
  fileMb: number;
  p50Ms: number;
  p99Ms: number;
  stopMs: number;
}

async function measure(args: string[], env: Record<string, string>, healthPath: string): Promise<Figures> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? "", ...PRODUCTION_ENV, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await waitForHttpPort(child);
  const url = `http://127.0.0.1:${port}${healthPath}`;
  for (;;) {
    const r = await fetch(url).catch(() => null);
    if (r?.status === 200) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const startMs = performance.now() - t0;
  await new Promise((r) => setTimeout(r, 3000)); // settle
  const lat: number[] = [];
  for (let i = 0; i < 300; i++) {
    const a = performance.now();
    await (await fetch(url)).text();
    lat.push(performance.now() - a);
  }
  lat.sort((a, b) => a - b);
  const mem = memoryMb(child.pid!);
  const s0 = performance.now();
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  await exited;
  return {
    startMs,
    rssMb: mem.rss,
    anonMb: mem.anon,
    fileMb: mem.file,
    p50Ms: lat[Math.floor(lat.length * 0.5)]!,
    p99Ms: lat[Math.floor(lat.length * 0.99)]!,
    stopMs: performance.now() - s0,
  };
}

function row(name: string, f: Figures): string {
  return `${name.padEnd(34)} start→healthy ${f.startMs.toFixed(0).padStart(5)} ms  RSS ${f.rssMb.toFixed(1).padStart(6)} MB (anon ${f.anonMb.toFixed(1)}, file ${f.fileMb.toFixed(1)})  probe p50 ${f.p50Ms.toFixed(2)} ms p99 ${f.p99Ms.toFixed(2)} ms  SIGTERM→exit ${f.stopMs.toFixed(0)} ms`;
}

/** Runs the benchmark and prints its figures. */
export async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(tmpdir(), "tl-bench-idle-"));
  try {
    const folder = path.join(dir, "watched");
    mkdirSync(folder);
    for (let i = 0; i < 1000; i++)
      writeFileSync(path.join(folder, `file-${i}.txt`), `file ${i}\n`.repeat(20));
    const watchConfig = path.join(dir, "watch.json");
    writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: folder, project: "idle" }] }));
    const env = { DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: watchConfig, HEALTH_PORT: "0" };
    const cached = { ...env, NODE_COMPILE_CACHE: path.join(dir, "compile-cache") };
    const service = [...PRODUCTION_V8_FLAGS, MAIN, "run"];
    const first = await measure(service, cached, "/health");
    const restart = await measure(service, cached, "/health");
    const uncached = await measure(service, env, "/health");
    const telegramArgs = [...PRODUCTION_V8_FLAGS, TELEGRAM_CHILD, path.join(dir, "tg-data")];
    const telegramEnv = { WATCH_CONFIG: watchConfig, NODE_COMPILE_CACHE: path.join(dir, "compile-cache") };
    await measure(telegramArgs, telegramEnv, "/health"); // fills the cache with the child's own modules
    const telegram = await measure(telegramArgs, telegramEnv, "/health");
    const bare = await measure(["-e", BARE], {}, "/");
    console.log(row("service, first start", first));
    console.log(row("service, restart", restart));
    console.log(row("service, restart, no compile cache", uncached));
    console.log(row("service + offline Telegram, restart", telegram));
    console.log(row("baseline (bare node http)", bare));
    const ratio = (f: Figures) =>
      `RSS ${(f.rssMb / bare.rssMb).toFixed(2)}x, start ${(f.startMs / bare.startMs).toFixed(1)}x`;
    const rssRow = (metric: string, f: Figures): ResultRow => ({
      metric,
      value: `${f.rssMb.toFixed(1)} MB (${ratio(f)})`,
      target: `< ${TARGET_RSS_MB} MB`,
      met: f.rssMb < TARGET_RSS_MB,
    });
    printTable("Idle service, file audit of 1,000 files (ratios against the bare Node baseline)", [
      rssRow("RSS, first start", first),
      rssRow("RSS, restart", restart),
      rssRow("RSS, restart without compile cache", uncached),
      rssRow("RSS, with offline Telegram", telegram),
      {
        metric: "start → healthy, first start",
        value: `${first.startMs.toFixed(0)} ms`,
        target: `< ${TARGET_START_MS} ms`,
        met: first.startMs < TARGET_START_MS,
      },
      {
        metric: "start → healthy, restart",
        value: `${restart.startMs.toFixed(0)} ms`,
        target: `< ${TARGET_START_MS} ms`,
        met: restart.startMs < TARGET_START_MS,
      },
    ]);
    for (const [what, f] of [
      ["first start", first],
      ["restart", restart],
    ] as const) {
      reportTarget({
        bench: "ops-idle",
        target: `idle RSS < ${TARGET_RSS_MB} MB (${what})`,
        figure: `${f.rssMb.toFixed(1)} MB`,
        met: f.rssMb < TARGET_RSS_MB,
      });
      reportTarget({
        bench: "ops-idle",
        target: `start to healthy < ${TARGET_START_MS} ms (${what})`,
        figure: `${f.startMs.toFixed(0)} ms`,
        met: f.startMs < TARGET_START_MS,
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
