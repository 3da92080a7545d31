/**
 * The web UI's export (`/api/events.csv`, `/api/events.jsonl`) on a large audit trail: the real
 * service as a process (the file audit alone, `npm start`'s flags and environment), asked over
 * HTTP for every row, the answer read to the end and thrown away. Beside it in the same run, the
 * `export` command writing the same rows to a file (bench/export.bench.ts's `exportOnce`) and
 * SQLite reading them alone (the floor of any export).
 *
 * Goal: memory stays flat whatever the number of rows. The figure is the service's peak RSS
 * (VmHWM, the read worker's thread included) after the export, less its peak after an export of
 * no row in the same process: what the stream itself costs, at three table sizes. A fresh service
 * per measurement, so one export's peak never hides another's.
 *
 *   node bench/web-export.bench.ts [rows=1000000]
 */
import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseFileOf } from "../src/store/data-paths.ts";
import { openStore } from "../src/store/db.ts";
import { exportOnce, fill, type Run, sqliteAlone } from "./export.bench.ts";
import {
  makeTempDir,
  PRODUCTION_ENV,
  PRODUCTION_V8_FLAGS,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
  waitForHttpPort,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TOKEN = "bench-token-0123456789abcdef";
/** The service's settings: file audit alone, no archiving (the rows are a year old), the UI's token. */
const SERVICE_ENV = { HEALTH_PORT: "0", UI_TOKEN: TOKEN, EVENTS_RETENTION_DAYS: "0" };
const RSS_GROWTH_TARGET_MB = 16;

/** A process's peak resident memory so far (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return (Number(/VmHWM:\s*(\d+)/.exec(status)?.[1]) * 1024) / 1e6;
}

/** Reads `url` to the end; returns the bytes it answered. */
async function drain(url: string): Promise<number> {
  const r = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (r.status !== 200 || r.body === null) throw new Error(`${url} answered ${r.status}: ${await r.text()}`);
  let bytes = 0;
  for await (const chunk of r.body) bytes += chunk.byteLength;
  return bytes;
}

/** One export over HTTP from a fresh service: time, bytes, and the stream's peak RSS growth. */
async function webExportOnce(env: Record<string, string>, file: "csv" | "jsonl"): Promise<Run> {
  const child = spawn(process.execPath, [...PRODUCTION_V8_FLAGS, MAIN, "run"], {
    env: { PATH: process.env.PATH ?? "", ...PRODUCTION_ENV, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  // The service's own start-up work (the first housekeeping run, the watched folder's scan) must
  // be over before the baseline is taken, or its peak would be counted as the export's.
  let settled = 0;
  let onSettled = () => {};
  const startedWork = new Promise<void>((resolve) => {
    onSettled = resolve;
  });
  const watch = (line: string) => {
    if (line.includes('"part":"housekeeping"') || line.includes('"msg":"reconciled"')) settled++;
    if (settled >= 2) onSettled();
  };
  try {
    const port = await waitForHttpPort(child, watch);
    await startedWork;
    const base = `http://127.0.0.1:${port}/api/events.${file}`;
    // The empty export starts the read worker and runs every code path once.
    await drain(`${base}?status=pending`);
    await new Promise((r) => setTimeout(r, 500));
    const before = peakRssMb(child.pid!);
    const t0 = performance.now();
    const outBytes = await drain(base);
    const seconds = (performance.now() - t0) / 1000;
    return { seconds, outBytes, peakRssMb: peakRssMb(child.pid!) - before };
  } finally {
    child.kill("SIGTERM");
    await exited;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The benchmark: prints tables and the target; never fails on a figure. */
export async function run(): Promise<void> {
  const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
  const dir = makeTempDir("tl-web-export-bench-");
  try {
    const dataRoot = path.join(dir, "data");
    const watched = path.join(dir, "watched");
    mkdirSync(watched);
    const watchConfig = path.join(dir, "watch.json");
    writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: watched, project: "bench" }] }));
    const env = { DATA_ROOT: dataRoot, WATCH_CONFIG: watchConfig, ...SERVICE_ENV };
    const store = openStore(databaseFileOf(dataRoot));
    const out = path.join(dir, "out");
    const growth: number[] = [];
    const sizes: string[] = [];
    let filled = 0;
    for (const rows of [total / 16, total / 4, total]) {
      fill(store, rows - filled, filled);
      filled = rows;
      store.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const alone = median([0, 1, 2].map(() => sqliteAlone(store)));
      const commandNone = exportOnce(dataRoot, out, ["--status", "pending"]);
      const commandCsv = exportOnce(dataRoot, out, []);
      const commandRss = commandCsv.peakRssMb - commandNone.peakRssMb;
      const webCsv = [await webExportOnce(env, "csv"), await webExportOnce(env, "csv")];
      const webJsonl = [await webExportOnce(env, "jsonl"), await webExportOnce(env, "jsonl")];
      // The service adds rows of its own (its start-up's), never fewer than the command's.
      if (webCsv.some((r) => r.outBytes < commandCsv.outBytes))
        throw new Error(`the web export answered less than the command wrote (${commandCsv.outBytes} bytes)`);
      const figures = (label: string, runs: Run[]): ResultRow[] => {
        const s = median(runs.map((r) => r.seconds));
        const rss = Math.max(...runs.map((r) => r.peakRssMb));
        growth.push(rss);
        return [
          { metric: `${label}: time`, value: `${s.toFixed(2)} s (${(s / alone).toFixed(1)}x SQLite alone)` },
          { metric: `${label}: rows/s`, value: Math.round(rows / s).toLocaleString("en") },
          { metric: `${label}: answer`, value: `${(runs[0]!.outBytes / 1e6).toFixed(0)} MB` },
          {
            metric: `${label}: service's peak RSS growth over an empty export`,
            value: `${rss.toFixed(1)} MB`,
            target: `< ${RSS_GROWTH_TARGET_MB} MB`,
            met: rss < RSS_GROWTH_TARGET_MB,
          },
        ];
      };
      sizes.push(rows.toLocaleString("en"));
      printTable(
        `web export of ${rows.toLocaleString("en")} events over HTTP (median of 2, worst RSS; a fresh service each)`,
        [
          { metric: "SQLite reading the rows alone (in process)", value: `${alone.toFixed(2)} s` },
          {
            metric: "export command, CSV to a file: time",
            value: `${commandCsv.seconds.toFixed(2)} s (${(commandCsv.seconds / alone).toFixed(1)}x SQLite alone, start-up included)`,
          },
          {
            metric: "export command, CSV: peak RSS growth over an empty export",
            value: `${commandRss.toFixed(1)} MB`,
          },
          ...figures("web CSV", webCsv),
          ...figures("web JSON lines", webJsonl),
        ],
      );
    }
    store.close();
    const worst = Math.max(...growth);
    reportTarget({
      bench: "web-export",
      target: `service's peak RSS growth < ${RSS_GROWTH_TARGET_MB} MB exporting ${sizes.join(", ")} rows over HTTP`,
      figure: `${worst.toFixed(1)} MB worst (${growth.map((g) => g.toFixed(1)).join(", ")})`,
      met: worst < RSS_GROWTH_TARGET_MB,
    });
  } finally {
    removeDir(dir);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
