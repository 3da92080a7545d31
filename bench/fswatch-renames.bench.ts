/**
 * Folder renames in the file audit, each figure beside a baseline measured in the same run:
 *  1. `scan` after one folder of N files was renamed (one `file.renamed`, N snapshot rows moved)
 *     vs `scan` of the same tree unchanged, and vs `scan` after the same N files were each moved
 *     by themselves into new folders (N file renames: what a folder rename cost before);
 *  2. live: a folder of M files renamed while watched → its `file.renamed` row, vs one new file →
 *     its row (p50 of several runs each).
 * Run: node bench/run.ts fswatch-renames   (FSWATCH_RENAME_FILES=20000, FSWATCH_RENAME_LIVE=500)
 */
import { mkdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { scanOnce, startApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { silentLogger } from "../src/log.ts";
import { makeTempDir, printTable, type ResultRow, removeDir, stats } from "./support.ts";

const N = Number(process.env.FSWATCH_RENAME_FILES ?? 20_000);
const M = Number(process.env.FSWATCH_RENAME_LIVE ?? 500);
const PER_DIR = 500;
const RUNS = 5;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function makeTree(dir: string, n: number): void {
  for (let d = 0; d < Math.ceil(n / PER_DIR); d++) {
    const sub = path.join(dir, `d${d}`);
    mkdirSync(sub, { recursive: true });
    for (let i = 0; i < PER_DIR && d * PER_DIR + i < n; i++) writeFileSync(path.join(sub, `f${i}.txt`), "x");
  }
}

function setup(base: string, name: string, settleMs = 300) {
  const dir = path.join(base, name);
  const root = path.join(dir, "root");
  mkdirSync(root, { recursive: true });
  const cfg = path.join(dir, "watch.json");
  writeFileSync(
    cfg,
    JSON.stringify({ settle_ms: settleMs, directories: [{ path: root, poll_interval: 3600 }] }),
  );
  return { root, config: loadConfig({ DATA_ROOT: path.join(dir, "data"), WATCH_CONFIG: cfg }) };
}

async function timedScan(config: ReturnType<typeof loadConfig>): Promise<{ ms: number; counts: string }> {
  const t0 = performance.now();
  const [o] = await scanOnce(config, silentLogger());
  const ms = performance.now() - t0;
  const counts = o?.online
    ? Object.entries(o.counts)
        .map(([k, v]) => `${v} ${k}`)
        .join(", ")
    : "offline";
  return { ms, counts };
}

/** Scan timings: unchanged, one folder renamed, every file moved by itself. */
async function scans(base: string): Promise<ResultRow[]> {
  const rows: ResultRow[] = [];
  const samples = { unchanged: [] as number[], folder: [] as number[], files: [] as number[] };
  let notes = { folder: "", files: "" };
  for (let run = 0; run < 3; run++) {
    const s = setup(base, `scan${run}`);
    makeTree(path.join(s.root, "top"), N);
    await timedScan(s.config); // baseline
    samples.unchanged.push((await timedScan(s.config)).ms);
    renameSync(path.join(s.root, "top"), path.join(s.root, "renamed"));
    const folder = await timedScan(s.config);
    samples.folder.push(folder.ms);
    // Every file by itself into a new folder of the same shape: N file renames.
    const moved = path.join(s.root, "moved");
    for (let d = 0; d < Math.ceil(N / PER_DIR); d++) {
      mkdirSync(path.join(moved, `d${d}`), { recursive: true });
      for (let i = 0; i < PER_DIR && d * PER_DIR + i < N; i++)
        renameSync(
          path.join(s.root, "renamed", `d${d}`, `f${i}.txt`),
          path.join(moved, `d${d}`, `f${i}.txt`),
        );
    }
    const files = await timedScan(s.config);
    samples.files.push(files.ms);
    notes = { folder: folder.counts, files: files.counts };
    removeDir(path.join(base, `scan${run}`));
  }
  const p50 = (xs: number[]) => stats(xs).p50;
  const base0 = p50(samples.unchanged);
  rows.push({ metric: `scan, ${N} files unchanged (p50 of 3)`, value: `${base0.toFixed(0)} ms` });
  rows.push({
    metric: `scan, folder of ${N} files renamed (${notes.folder})`,
    value: `${p50(samples.folder).toFixed(0)} ms = ${(p50(samples.folder) / base0).toFixed(2)}× unchanged`,
  });
  rows.push({
    metric: `scan, ${N} files moved one by one (${notes.files})`,
    value: `${p50(samples.files).toFixed(0)} ms = ${(p50(samples.files) / base0).toFixed(2)}× unchanged`,
  });
  return rows;
}

/** Live: a renamed folder of M files → its row, vs one new file → its row. */
async function live(base: string): Promise<ResultRow[]> {
  const s = setup(base, "live", 100);
  makeTree(path.join(s.root, "f0"), M);
  const app = await startApp({ config: s.config, logger: silentLogger() });
  const count = (type: string) =>
    (app.store.sqlite.prepare("SELECT count(*) AS n FROM events WHERE type = ?").get(type) as { n: number })
      .n;
  const until = async (type: string, n: number) => {
    while (count(type) < n) await sleep(2);
  };
  try {
    await app.idle();
    const one: number[] = [];
    const folder: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      let t = performance.now();
      writeFileSync(path.join(s.root, `new${i}.txt`), "x");
      await until("file.created", i + 1);
      one.push(performance.now() - t);
      await app.idle();
      t = performance.now();
      renameSync(path.join(s.root, `f${i}`), path.join(s.root, `f${i + 1}`));
      await until("file.renamed", i + 1);
      folder.push(performance.now() - t);
      await app.idle();
    }
    const a = stats(one).p50;
    const b = stats(folder).p50;
    const other = count("file.created") - RUNS + count("file.deleted") + count("file.renamed") - RUNS;
    return [
      { metric: `live: one new file → its row (p50 of ${RUNS}, settle 100 ms)`, value: `${a.toFixed(0)} ms` },
      {
        metric: `live: folder of ${M} files renamed → one row (p50 of ${RUNS})`,
        value: `${b.toFixed(0)} ms = ${(b / a).toFixed(2)}× one file; other rows: ${other}`,
      },
    ];
  } finally {
    await app.stop();
  }
}

/** Runs the folder-rename benchmarks and prints their figures. */
export async function run(): Promise<void> {
  const base = makeTempDir("tl-fsw-ren-");
  try {
    printTable(`file audit: folder renames (N = ${N}, live M = ${M})`, [
      ...(await scans(base)),
      ...(await live(base)),
    ]);
  } finally {
    removeDir(base);
  }
}
