/**
 * `telegram-logger export` on a large audit trail: the real command, as a process, writing CSV and
 * JSON lines of every row to a file. Baselines in the same run: SQLite reading the same rows alone
 * (better-sqlite3's iterate over the same query, in this process: the floor of any export), and
 * the same command selecting no row (its start-up, and the RSS it would have anyway).
 * Goal (README states it): memory stays flat whatever the table's size. Peak RSS
 * growth over the empty export is printed for three table sizes (measured: 1–5 MB at each, where
 * the first version grew to 56 MB at 1.6 million rows, see event-rows.ts and export-command.ts).
 *
 *   node bench/export.bench.ts [rows=1600000]
 */
import { spawnSync } from "node:child_process";
import { statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { databaseFileOf } from "../src/store/data-paths.ts";
import { openStore, type Store } from "../src/store/db.ts";
import {
  makeTempDir,
  PEAK_RSS_HOOK,
  PRODUCTION_V8_FLAGS,
  peakRssMbOf,
  printTable,
  removeDir,
  reportTarget,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const RSS_GROWTH_TARGET_MB = 16;

/** Adds `rows` events (fs and telegram alternating, a second apart) after the first `from`. */
export function fill(store: Store, rows: number, from: number): void {
  const insert = store.sqlite.prepare(
    `INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id, path, project,
       file_size, checksum, details, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const t0 = Date.UTC(2026, 0, 1);
  for (let start = from; start < from + rows; start += 50_000) {
    store.transaction(() => {
      for (let i = start; i < Math.min(from + rows, start + 50_000); i++) {
        const at = t0 + i * 1000;
        if (i % 2 === 0) {
          insert.run(
            at,
            at + 3,
            "fs",
            "file.modified",
            "success",
            null,
            null,
            `/srv/share/projects/p${i % 97}/report-${i}.docx`,
            `p${i % 97}`,
            20_000 + i,
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
            JSON.stringify({ previousSize: 19_000 + i, diff: null }),
            `c${i >> 4}`,
          );
        } else {
          insert.run(
            at,
            at + 5,
            "telegram",
            "message.deleted",
            "success",
            -1001234567890 - (i % 50),
            i,
            null,
            null,
            null,
            null,
            JSON.stringify({ text: `a deleted message, "quoted", with a comma, number ${i}` }),
            null,
          );
        }
      }
    });
  }
}

export interface Run {
  seconds: number;
  peakRssMb: number;
  outBytes: number;
}

/** The `export` command as a process with `args`, writing to `out`. */
export function exportOnce(dataRoot: string, out: string, args: string[]): Run {
  const t0 = performance.now();
  const r = spawnSync(
    process.execPath,
    [...PRODUCTION_V8_FLAGS, "--import", PEAK_RSS_HOOK, MAIN, "export", "--out", out, "--force", ...args],
    {
      env: { PATH: process.env.PATH ?? "", DATA_ROOT: dataRoot },
      encoding: "utf8",
    },
  );
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`export failed: ${r.stderr}`);
  return { seconds, peakRssMb: peakRssMbOf(r.stderr), outBytes: statSync(out).size };
}

/** Seconds SQLite takes to read every row in export order, in this process. */
export function sqliteAlone(store: Store): number {
  const t0 = performance.now();
  let n = 0;
  for (const _ of store.sqlite.prepare("SELECT * FROM events ORDER BY occurred_at, id").iterate()) n++;
  if (n === 0) throw new Error("no rows read");
  return (performance.now() - t0) / 1000;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The benchmark: prints tables and the target; never fails on a figure. */
export async function run(): Promise<void> {
  const total = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 1_600_000);
  const dir = makeTempDir("tl-export-bench-");
  try {
    const dataRoot = path.join(dir, "data");
    const store = openStore(databaseFileOf(dataRoot));
    const out = path.join(dir, "out");
    const growth: number[] = [];
    let filled = 0;
    for (const rows of [total / 16, total / 4, total]) {
      fill(store, rows - filled, filled);
      filled = rows;
      store.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const none = [0, 1, 2].map(() => exportOnce(dataRoot, out, ["--status", "pending"]));
      const csv = [0, 1, 2].map(() => exportOnce(dataRoot, out, []));
      const jsonl = [0, 1, 2].map(() => exportOnce(dataRoot, out, ["--format", "jsonl"]));
      const alone = median([0, 1, 2].map(() => sqliteAlone(store)));
      const start = median(none.map((r) => r.seconds));
      const baseRss = median(none.map((r) => r.peakRssMb));
      const rowsFor = (label: string, runs: Run[]) => {
        const s = median(runs.map((r) => r.seconds));
        const rss = Math.max(...runs.map((r) => r.peakRssMb)) - baseRss;
        growth.push(rss);
        return [
          { metric: `${label}: time`, value: `${s.toFixed(2)} s` },
          {
            metric: `${label}: rows/s (less start-up)`,
            value: `${Math.round(rows / (s - start)).toLocaleString("en")}`,
          },
          { metric: `${label}: output`, value: `${(runs[0]!.outBytes / 1e6).toFixed(0)} MB` },
          { metric: `${label}: vs SQLite reading alone`, value: `${((s - start) / alone).toFixed(1)}x` },
          { metric: `${label}: peak RSS growth over an empty export`, value: `${rss.toFixed(1)} MB` },
        ];
      };
      printTable(`export of ${rows.toLocaleString("en")} events (median of 3; the command as a process)`, [
        { metric: "SQLite reading the rows alone (in process)", value: `${alone.toFixed(2)} s` },
        {
          metric: "empty export (start-up, no row)",
          value: `${start.toFixed(2)} s, ${baseRss.toFixed(0)} MB peak`,
        },
        ...rowsFor("CSV", csv),
        ...rowsFor("JSON lines", jsonl),
      ]);
    }
    store.close();
    const worst = Math.max(...growth);
    reportTarget({
      bench: "export",
      target: `peak RSS growth < ${RSS_GROWTH_TARGET_MB} MB at ${(total / 16).toLocaleString("en")} to ${total.toLocaleString("en")} rows`,
      figure: `${worst.toFixed(1)} MB worst (${growth.map((g) => g.toFixed(1)).join(", ")})`,
      met: worst < RSS_GROWTH_TARGET_MB,
    });
  } finally {
    removeDir(dir);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
