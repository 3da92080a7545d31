/**
 * The watchers the file-audit benchmark compares, each alone on a root: chokidar 6 with its plain
 * defaults (the old baseline), chokidar with the options the audit used before (`atomic: false`,
 * `ignoreInitial`, links not followed, the `ignored` function), chokidar's `native-recursive`
 * backend, Node's own `fs.watch(root, { recursive: true })`, and the folder watcher the audit uses
 * now (src/fswatch/watch/folder-watcher.ts). Each reports the files it says were added.
 *
 * Run as a script, it measures one of them in this process, which loads nothing of the service:
 *   node bench/fswatch-watchers.ts ready KIND ROOT      → time to ready and RSS, as JSON
 *   node bench/fswatch-watchers.ts burst KIND ROOT N    → files named of a burst of N, as JSON
 */
import { spawn } from "node:child_process";
import { watch as nodeWatch } from "node:fs";
import { fileURLToPath } from "node:url";
import { watch as chokidarWatch, type FSWatcher } from "chokidar";
import { watchFolders } from "../src/fswatch/watch/folder-watcher.ts";

/** A watcher started on a root: resolves once ready; `close` stops it. */
export interface StartedWatcher {
  close(): Promise<void>;
}

/** How a watcher configuration starts; `added(path)` is called for each file it says was added. */
export interface WatcherKind {
  label: string;
  start(root: string, added: (absPath: string) => void): Promise<StartedWatcher>;
}

function chokidar(w: FSWatcher, added: (p: string) => void): Promise<StartedWatcher> {
  w.on("add", added);
  w.on("error", () => {});
  return new Promise((resolve) => w.once("ready", () => resolve({ close: () => w.close() })));
}

const AUDIT_OPTIONS = (root: string) => ({
  atomic: false,
  ignoreInitial: true,
  followSymlinks: false,
  persistent: true,
  ignorePermissionErrors: false,
  ignored: (p: string, stats?: { isDirectory(): boolean }) =>
    stats?.isDirectory() ? p !== root && p.endsWith("/excluded") : false,
});

/** The configurations, by the id the benchmark's child processes take. */
export const WATCHERS: Record<string, WatcherKind> = {
  "chokidar-defaults": {
    label: "chokidar 6, plain defaults (old baseline)",
    start: (root, added) => chokidar(chokidarWatch(root), added),
  },
  "chokidar-audit": {
    label: "chokidar 6, the audit's options (chokidar-watcher.ts, the default)",
    start: (root, added) => chokidar(chokidarWatch(root, AUDIT_OPTIONS(root)), added),
  },
  "chokidar-recursive": {
    label: "chokidar 6, the audit's options + backend native-recursive",
    start: (root, added) =>
      chokidar(chokidarWatch(root, { ...AUDIT_OPTIONS(root), backend: "native-recursive" }), added),
  },
  "node-recursive": {
    // No ready event: on Linux it walks the tree while fs.watch() runs; one turn more for safety.
    label: "fs.watch(root, {recursive: true}), Node 24",
    start: async (root, added) => {
      const w = nodeWatch(root, { recursive: true }, (_type, name) => {
        if (name?.endsWith(".txt")) added(`${root}/${name}`);
      });
      w.on("error", () => {});
      await new Promise((r) => setImmediate(r));
      return { close: async () => w.close() };
    },
  },
  "folder-watcher": {
    label: 'fs-watch folder watcher, folder-watcher.ts ("watcher": "fs-watch")',
    start: async (root, added) => {
      const w = watchFolders(root, (p) => p.endsWith("/excluded"), {
        hint: (p, kind) => {
          if (kind === "file") added(p);
        },
        error: () => {},
      });
      await w.ready;
      return w;
    },
  },
};

/** Files per new folder in a burst. */
export const PER_DIR = 1000;

/** Creates `n` files (`d<k>/f<i>.txt`, PER_DIR a folder) under `dir` from a separate process. */
export function burst(dir: string, n: number): Promise<void> {
  const code = `const fs=require("fs");const [dir,n,per]=process.argv.slice(1);for(let d=0;d<Math.ceil(n/per);d++){const s=dir+"/d"+d;fs.mkdirSync(s,{recursive:true});for(let i=0;i<per&&d*per+i<n;i++)fs.writeFileSync(s+"/f"+i+".txt","x");}`;
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ["-e", code, dir, String(n), String(PER_DIR)], { stdio: "inherit" });
    c.once("exit", (s) => (s === 0 ? resolve() : reject(new Error(`writer exited ${s}`))));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `read` until it reaches `target`, stays the same for `quietMs`, or `maxMs` passed. */
export async function waitQuiet(
  read: () => number,
  quietMs: number,
  maxMs: number,
  target = Number.POSITIVE_INFINITY,
): Promise<number> {
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

/** Time to ready and RSS (at ready, 1 s later, and the peak sampled every 20 ms). */
export interface ReadyFigures {
  ms: number;
  rss: number;
  rssAfter: number;
  peak: number;
}

/** How many of a burst's new files a watcher named, and how long the writer took. */
export interface BurstFigures {
  delivered: number;
  writtenMs: number;
}

async function measureReady(kind: WatcherKind, root: string): Promise<ReadyFigures> {
  let peak = 0;
  const iv = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const t0 = performance.now();
  const w = await kind.start(root, () => {});
  const ms = performance.now() - t0;
  const rss = process.memoryUsage().rss;
  await sleep(1000);
  const rssAfter = process.memoryUsage().rss;
  clearInterval(iv);
  await w.close();
  return { ms, rss, rssAfter, peak: Math.max(peak, rss, rssAfter) };
}

async function measureBurst(kind: WatcherKind, root: string, n: number): Promise<BurstFigures> {
  const seen = new Set<string>();
  const w = await kind.start(root, (p) => seen.add(p));
  const t0 = performance.now();
  await burst(root, n);
  const writtenMs = performance.now() - t0;
  const delivered = await waitQuiet(() => seen.size, 3000, 120_000, n);
  await w.close();
  return { delivered, writtenMs };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, id, root, n] = process.argv.slice(2);
  const kind = WATCHERS[id ?? ""];
  if (!kind || !root)
    throw new Error(`usage: fswatch-watchers.ts ready|burst ${Object.keys(WATCHERS).join("|")} ROOT [N]`);
  const out = mode === "burst" ? await measureBurst(kind, root, Number(n)) : await measureReady(kind, root);
  process.stdout.write(JSON.stringify(out));
  process.exit(0);
}
