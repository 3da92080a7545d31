/**
 * The event detail, files, file history, status and report pages' reads (src/web/*-query.ts, run
 * in this process as the UI's read worker runs them) on the web benchmark database (bench/
 * web-data.ts: 2,000,000 events, 1,000,000 messages, 200,000 revisions). Each beside a baseline of
 * SQLite's own time in the same run:
 *
 * - event detail of a random event vs. reading its row by id;
 * - a file's history across renames (random paths of file events) vs. reading that path's rows
 *   through `events_path` alone (the difference is following renames);
 * - the first history, which reads every rename into the worker's index (rename-index.ts);
 * - folders with most changes over 1 and 7 days vs. reading the range's paths and types;
 * - the status facts;
 * - a daily and a weekly report page vs. `gatherReport` alone (the page adds its hours).
 *
 * The issue sets no target for these pages; the figures show what a page costs on a large trail
 * and which part is ours. Printed as p50 / p90 / p99 / max.
 *
 *   node bench/pages.bench.ts [samples=100]
 */
import { performance } from "node:perf_hooks";
import type Database from "better-sqlite3";
import { gatherReport } from "../src/report/gather.ts";
import { civilDateOf, previousPeriod, reportPeriod } from "../src/report/period.ts";
import { openReadOnly } from "../src/store/read-only.ts";
import { eventDetail } from "../src/web/event-detail-query.ts";
import { fileHistory, filesOverview } from "../src/web/files-query.ts";
import { reportFigures } from "../src/web/report-query.ts";
import { statusFacts } from "../src/web/status-query.ts";
import { latencyRow, pick, printTable, type ResultRow, seeded, stats } from "./support.ts";
import { webBenchDatabase } from "./web-data.ts";

const DAY = 86_400_000;

function time(samples: number, fn: (i: number) => void): ReturnType<typeof stats> {
  const took: number[] = [];
  for (let i = 0; i < samples; i++) {
    const t = performance.now();
    fn(i);
    took.push(performance.now() - t);
  }
  return stats(took);
}

function ratio(ours: ReturnType<typeof stats>, base: ReturnType<typeof stats>): ResultRow {
  return {
    metric: "  p50 ratio to the baseline",
    value: `${(ours.p50 / Math.max(base.p50, 1e-6)).toFixed(1)}x`,
  };
}

export async function run(): Promise<void> {
  const arg = process.argv.slice(2).find((a) => /^\d+$/.test(a));
  const samples = arg ? Number(arg) : 100;
  const sqlite: Database.Database = openReadOnly(webBenchDatabase());
  sqlite.pragma("cache_size = -16384");
  const rng = seeded(2026_16);
  const { lo, hi, newest } = sqlite
    .prepare("SELECT min(id) AS lo, max(id) AS hi, max(occurred_at) AS newest FROM events")
    .get() as {
    lo: number;
    hi: number;
    newest: number;
  };
  const ids = Array.from({ length: samples }, () => lo + Math.floor(rng() * (hi - lo + 1)));
  const paths = (
    sqlite
      .prepare("SELECT path FROM events WHERE id IN (SELECT value FROM json_each(?)) AND path IS NOT NULL")
      .all(
        JSON.stringify(Array.from({ length: samples * 20 }, () => lo + Math.floor(rng() * (hi - lo + 1)))),
      ) as {
      path: string;
    }[]
  ).map((r) => r.path);
  const byId = sqlite.prepare("SELECT * FROM events WHERE id = ?");
  const byPath = sqlite.prepare(
    "SELECT * FROM events WHERE path = ? ORDER BY occurred_at DESC, id DESC LIMIT 101",
  );
  const inRange = sqlite.prepare("SELECT path, type FROM events WHERE occurred_at >= ?").raw();
  const rows: ResultRow[] = [];

  const detailBase = time(samples, (i) => byId.get(ids[i]!));
  const detail = time(samples, (i) => eventDetail(sqlite, { id: ids[i]! }));
  rows.push(latencyRow("event detail (row, message, versions, correlated)", detail));
  rows.push(latencyRow("  baseline: its row by id", detailBase), ratio(detail, detailBase));

  const cold = time(1, () => fileHistory(sqlite, { path: pick(rng, paths), limit: 100, before: null }));
  rows.push({
    metric: "first file history (reads every rename into the worker's index)",
    value: `${cold.max.toFixed(0)} ms`,
  });
  const historyBase = time(samples, () => byPath.all(pick(rng, paths)));
  const history = time(samples, () =>
    fileHistory(sqlite, { path: pick(rng, paths), limit: 100, before: null }),
  );
  rows.push(latencyRow(`file history across renames (${paths.length} paths)`, history));
  rows.push(latencyRow("  baseline: the path's rows by index", historyBase), ratio(history, historyBase));

  const n = Math.max(5, Math.floor(samples / 10));
  for (const days of [1, 7]) {
    const since = newest - days * DAY;
    const base = time(n, () => inRange.all(since));
    const folders = time(n, () => filesOverview(sqlite, { since, until: null, top: 20 }));
    rows.push(latencyRow(`folders with most changes, ${days} day(s)`, folders));
    rows.push(latencyRow("  baseline: reading the range's paths and types", base), ratio(folders, base));
  }

  rows.push(
    latencyRow(
      "status facts",
      time(samples, () => statusFacts(sqlite, {})),
    ),
  );

  const day = civilDateOf(newest - DAY, true);
  for (const kind of ["daily", "weekly"] as const) {
    const period = reportPeriod(kind, day, true);
    const base = time(n, () =>
      gatherReport(sqlite, period, previousPeriod(period, true), newest, { top: 10 }),
    );
    const page = time(n, () => reportFigures(sqlite, { kind, first: day, utc: true, top: 10, now: newest }));
    rows.push(latencyRow(`${kind} report page's read`, page));
    rows.push(latencyRow("  baseline: gatherReport alone (the report command)", base), ratio(page, base));
  }
  sqlite.close();
  printTable(`pages: detail, files, status, reports (p50 / p90 / p99 / max; ${samples} samples)`, rows);
}

if (import.meta.main) await run();
