/**
 * The events page end to end, at the issue's scale (target: events page with any one filter
 * p95 < 50 ms), on the database of `bench/web-data.ts` (1,000,000 messages, 200,000 revisions,
 * 2,000,000 events).
 *
 * The real service (`src/main.ts run`, production flags, file audit alone on an empty folder) runs
 * on a private copy of that database; each case is one filter (none, time ranges, source, type,
 * status, chat, path prefix, project, username, correlation, free text, next pages by cursor),
 * asked over HTTP as `/api/events` (JSON) and as `/ui/events` (the page), one request at a time.
 * Beside each, the floor: the same reads (`eventPage` and, on a first page, `eventFacets` and
 * `eventHistogram`: the same SQL) run in this process on its own read-only connection to the same
 * file, with the worker's cache size. Ratios are /ui p95 against the floor's p95 (the three reads'
 * p95s added: the route runs them one after another on the one worker); the facets' and the
 * histogram's shares are shown on their own.
 *
 * Then whether a heavy read stalls the service: /health latency while heavy events queries run
 * (on the UI's worker thread), and, in this process, the event loop's delay while the same read
 * runs through `ReadWorker` against running it on the main thread.
 *
 *   node bench/run.ts web        (--rebuild rebuilds the cached database; --indexed-only skips `q` and `sender`)
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { loadConfig } from "../src/config.ts";
import { eventHistogram } from "../src/web/event-histogram.ts";
import { type EventQuery, eventFacets, eventPage, parseEventQuery } from "../src/web/event-query.ts";
import { ReadWorker } from "../src/web/read-worker.ts";
import { runRead } from "../src/web/reads.ts";
import {
  makeTempDir,
  ms,
  PRODUCTION_ENV,
  PRODUCTION_V8_FLAGS,
  removeDir,
  reportTarget,
  waitForHttpPort,
} from "./support.ts";
import { copyWebBenchDatabase, WEB_BENCH_ROOTS } from "./web-data.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TOKEN = "web-bench-token-0123456789abcdef";
const TARGET_MS = 50;
/** Requests per case: up to this many, or fewer when a case is slow (see `SAMPLE_BUDGET_MS`). */
const SAMPLES = Number(process.env.BENCH_WEB_SAMPLES ?? 40);
/** Time spent on one measurement of one case at most (at least `MIN_SAMPLES` are taken). */
const SAMPLE_BUDGET_MS = 6_000;
const MIN_SAMPLES = 3;
/** The worker's page cache (read-worker.ts), so the floor reads with the same cache. */
const WORKER_CACHE_KIB = 16_384;
const DAY = 86_400_000;

const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

/** Nearest-rank percentile. */
function pct(samples: readonly number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] ?? Number.NaN;
}

/** Times `fn` up to `SAMPLES` times (after one warm-up), within the budget. */
async function sample(fn: () => unknown): Promise<number[]> {
  await fn();
  const out: number[] = [];
  const from = performance.now();
  while (out.length < SAMPLES && (out.length < MIN_SAMPLES || performance.now() - from < SAMPLE_BUDGET_MS)) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

interface Case {
  name: string;
  /** The query string (without `?`). */
  query: string;
  /** Free text over every row: measured and shown, but not held to the target (see the issue). */
  freeText?: boolean;
  /** A filter no index serves yet (sender: a lookup in `messages` per event): shown, held apart. */
  unindexed?: boolean;
}

/** Facts of the database the cases are built from. */
interface Facts {
  newest: number;
  busyChat: number;
  quietChat: number;
  correlation: string;
}

function factsOf(sqlite: Database.Database): Facts {
  const newest = sqlite.prepare("SELECT max(occurred_at) FROM events").pluck().get() as number;
  // The chats by events among a sample of the newest (a full count would take seconds).
  const chats = sqlite
    .prepare(
      "SELECT chat_id, count(*) n FROM (SELECT chat_id FROM events WHERE chat_id IS NOT NULL ORDER BY id DESC LIMIT 200000) GROUP BY chat_id ORDER BY n DESC",
    )
    .raw()
    .all() as [number, number][];
  const correlation = sqlite
    .prepare(
      "SELECT correlation_id FROM events WHERE id = (SELECT max(id) FROM events) - 500000 AND correlation_id IS NOT NULL",
    )
    .pluck()
    .get() as string | undefined;
  return {
    newest,
    busyChat: chats[0]![0],
    quietChat: chats.at(-1)![0],
    correlation:
      correlation ??
      (sqlite
        .prepare("SELECT correlation_id FROM events WHERE correlation_id IS NOT NULL LIMIT 1")
        .pluck()
        .get() as string),
  };
}

function casesOf(f: Facts, cursors: { page2: string; page20: string; errorsPage5: string }): Case[] {
  const iso = (t: number) => new Date(t).toISOString();
  const enc = encodeURIComponent;
  const root = WEB_BENCH_ROOTS[0].root;
  return [
    { name: "no filter", query: "" },
    { name: "since: last 24 h", query: `since=${enc(iso(f.newest - DAY))}` },
    { name: "since: last 30 d", query: `since=${enc(iso(f.newest - 30 * DAY))}` },
    { name: "until: 6 months ago", query: `until=${enc(iso(f.newest - 182 * DAY))}` },
    {
      name: "since+until: one day, 3 months ago",
      query: `since=${enc(iso(f.newest - 92 * DAY))}&until=${enc(iso(f.newest - 91 * DAY))}`,
    },
    { name: "source=telegram", query: "source=telegram" },
    { name: "source=system (rare)", query: "source=system" },
    { name: "type=message.deleted", query: "type=message.deleted" },
    { name: "type=file.* (prefix)", query: "type=file.*" },
    { name: "type=watch.config_rejected (rare)", query: "type=watch.config_rejected" },
    { name: "status=error", query: "status=error" },
    { name: "status=warning (rare)", query: "status=warning" },
    { name: "chat (busy)", query: `chat=${f.busyChat}` },
    { name: "chat (quiet)", query: `chat=${f.quietChat}` },
    { name: "path prefix (root/src/)", query: `path=${enc(`${root}/src/`)}` },
    { name: "path prefix (/etc/nginx)", query: `path=${enc("/etc/nginx")}` },
    { name: "project=infra", query: "project=infra" },
    { name: "username=olena", query: "username=olena" },
    { name: "correlation", query: `correlation=${f.correlation}` },
    { name: "sender (a user)", query: "sender=200007", unindexed: true },
    { name: "q=FLOOD_WAIT (rare)", query: "q=FLOOD_WAIT", freeText: true },
    { name: "q=ґанок (in diffs)", query: `q=${enc("ґанок")}`, freeText: true },
    { name: "q=nothing-matches", query: "q=zzqqxx", freeText: true },
    { name: "cursor: page 2", query: `cursor=${cursors.page2}` },
    { name: "cursor: page 20", query: `cursor=${cursors.page20}` },
    { name: "cursor: status=error page 5", query: `status=error&cursor=${cursors.errorsPage5}` },
  ];
}

/** The `older` cursor after `pages` pages of `query`, read in this process. */
function cursorAfter(sqlite: Database.Database, query: string, pages: number, now: number): string {
  let cursor: string | null = null;
  for (let i = 0; i < pages; i++) {
    const params = new URLSearchParams(query);
    if (cursor) params.set("cursor", cursor);
    cursor = eventPage(sqlite, parseEventQuery(params, now)).next;
  }
  return cursor!;
}

interface Figures {
  c: Case;
  pageFloor: number[];
  facetsFloor: number[] | null;
  histogramFloor: number[] | null;
  api: number[];
  ui: number[];
  rows: number;
  /** HTTP requests that did not answer 200. */
  failed: number;
}

async function measureCase(sqlite: Database.Database, base: string, c: Case): Promise<Figures> {
  const q: EventQuery = parseEventQuery(new URLSearchParams(c.query), Date.now());
  let rows = 0;
  const pageFloor = await sample(() => {
    rows = eventPage(sqlite, q).events.length;
  });
  const facetsFloor = q.cursor === null ? await sample(() => eventFacets(sqlite, q)) : null;
  const histogramFloor = q.cursor === null ? await sample(() => eventHistogram(sqlite, q)) : null;
  let failed = 0;
  // A request the server gave up on (its request timeout is 10 s) counts with the time it took.
  const get = (p: string) => async () => {
    try {
      const r = await fetch(`${base}${p}?${c.query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
      await r.text();
      if (r.status !== 200) failed++;
    } catch {
      failed++;
    }
  };
  const api = await sample(get("/api/events"));
  const ui = await sample(get("/ui/events"));
  return { c, pageFloor, facetsFloor, histogramFloor, api, ui, rows, failed };
}

function printCases(figures: Figures[]): void {
  const head = [
    "case",
    "rows",
    "fail",
    "floor page p50/p95",
    "facets p50/p95",
    "histogram p50/p95",
    "floor p95",
    "api p50/p95",
    "ui p50/p95",
    "ui/floor",
    "met",
  ];
  const lines = figures.map((f) => {
    // The route runs the page, the facets and the histogram on the one read worker: one after another.
    const floor95 =
      pct(f.pageFloor, 95) +
      (f.facetsFloor ? pct(f.facetsFloor, 95) : 0) +
      (f.histogramFloor ? pct(f.histogramFloor, 95) : 0);
    const ui95 = pct(f.ui, 95);
    const api95 = pct(f.api, 95);
    const pair = (s: number[] | null) => (s ? `${ms(pct(s, 50))} / ${ms(pct(s, 95))}` : "—");
    const met = Math.max(ui95, api95) < TARGET_MS;
    return [
      f.c.name,
      String(f.rows),
      String(f.failed),
      pair(f.pageFloor),
      pair(f.facetsFloor),
      pair(f.histogramFloor),
      ms(floor95),
      pair(f.api),
      pair(f.ui),
      `${(ui95 / floor95).toFixed(2)}×`,
      f.c.freeText
        ? met
          ? "yes (q)"
          : "no (q, LIKE)"
        : f.c.unindexed
          ? met
            ? "yes"
            : "no (no index)"
          : met
            ? "yes"
            : "NO",
    ];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) =>
    `  ${l.map((x, i) => (i === 0 ? x.padEnd(widths[i]!) : x.padStart(widths[i]!))).join("  ")}`;
  console.log(
    `\nEvents page, one filter each (p95 target < ${ms(TARGET_MS)}, /api and /ui); n ≤ ${SAMPLES} per cell`,
  );
  console.log(fmt(head));
  console.log(`  ${widths.map((w) => "-".repeat(w)).join("  ")}`);
  for (const l of lines) console.log(fmt(l));
}

// ---------------------------------------------------------------- stalls

/** /health latencies, one probe every 20 ms, while `during` runs (or for `idleMs`). */
async function probeHealth(base: string, during: Promise<unknown> | number): Promise<number[]> {
  const out: number[] = [];
  let done = false;
  if (typeof during === "number") setTimeout(() => (done = true), during);
  else void during.finally(() => (done = true));
  while (!done) {
    const t = performance.now();
    const r = await fetch(`${base}/health`);
    await r.text();
    out.push(performance.now() - t);
    await sleep(20);
  }
  return out;
}

async function heavyRequests(base: string, query: string, count: number): Promise<number[]> {
  const took: number[] = [];
  for (let i = 0; i < count; i++) {
    const t = performance.now();
    const r = await fetch(`${base}/api/events?${query}`, { headers: { authorization: `Bearer ${TOKEN}` } });
    await r.text();
    took.push(performance.now() - t);
  }
  return took;
}

/** The event loop's delay (max, p99) while `fn` runs. */
async function loopDelayDuring(
  fn: () => Promise<unknown>,
): Promise<{ max: number; p99: number; took: number }> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  h.enable();
  const t = performance.now();
  await fn();
  const took = performance.now() - t;
  h.disable();
  return { max: h.max / 1e6, p99: h.percentile(99) / 1e6, took };
}

// ---------------------------------------------------------------- run

export async function run(): Promise<void> {
  const dir = makeTempDir("tl-bench-web-");
  let service: ChildProcess | undefined;
  try {
    const env = {
      DATA_ROOT: path.join(dir, "data"),
      WATCH_CONFIG: path.join(dir, "watch.json"),
      HEALTH_PORT: "0",
      UI_TOKEN: TOKEN,
      HOUSEKEEPING_INTERVAL_SECS: "86400",
      // The events span a year; the default retention (90 days) would delete most of them at start.
      EVENTS_RETENTION_DAYS: "0",
    };
    const watched = path.join(dir, "watched");
    mkdirSync(watched);
    writeFileSync(env.WATCH_CONFIG, JSON.stringify({ directories: [{ path: watched, project: "bench" }] }));
    const dbFile = loadConfig(env).dbFile;
    let t = performance.now();
    if (copyWebBenchDatabase(env.DATA_ROOT) !== dbFile)
      throw new Error("the copy is not where the service reads");
    console.log(`database copied in ${ms(performance.now() - t)} (${dbFile})`);

    const sqlite = new Database(dbFile, { readonly: true, fileMustExist: true });
    sqlite.pragma(`cache_size = -${WORKER_CACHE_KIB}`);
    const facts = factsOf(sqlite);
    const now = Date.now();
    const cursors = {
      page2: cursorAfter(sqlite, "", 1, now),
      page20: cursorAfter(sqlite, "", 19, now),
      errorsPage5: cursorAfter(sqlite, "status=error", 4, now),
    };
    const cases = casesOf(facts, cursors);

    t = performance.now();
    service = spawn(process.execPath, [...PRODUCTION_V8_FLAGS, MAIN, "run"], {
      env: { PATH: process.env.PATH ?? "", ...PRODUCTION_ENV, ...env },
      stdio: ["ignore", "pipe", "inherit"],
    });
    const said: string[] = [];
    const port = await waitForHttpPort(service, (line) => {
      said.push(line.slice(0, 2000));
      if (said.length > 20) said.shift();
    });
    // Stopping early is a crash of the benchmark: what the service said last tells why.
    service.once("exit", (code, signal) =>
      console.error(`the service exited (${code ?? signal}):\n${said.join("\n")}`),
    );
    const base = `http://127.0.0.1:${port}`;
    while ((await fetch(`${base}/health`).catch(() => null))?.status !== 200) await sleep(20);
    console.log(`service listening after ${ms(performance.now() - t)}`);

    const only = process.env.BENCH_WEB_CASES;
    const figures: Figures[] = [];
    for (const c of cases) {
      if (only && !c.name.includes(only)) continue;
      // Free text and sender read every row (tens of seconds a request on a busy machine):
      // `--indexed-only` skips them.
      if ((c.freeText || c.unindexed) && process.argv.includes("--indexed-only")) continue;
      process.stderr.write(`  ${c.name} ...\n`);
      const f = await measureCase(sqlite, base, c);
      figures.push(f);
      // Each case's figures as soon as they are known (the table follows at the end).
      process.stderr.write(
        `    /ui p95 ${ms(pct(f.ui, 95))}, /api p95 ${ms(pct(f.api, 95))}, page floor p95 ${ms(pct(f.pageFloor, 95))}\n`,
      );
    }
    printCases(figures);
    const held = figures.filter((f) => !f.c.freeText && !f.c.unindexed);
    const worst = held.reduce((a, f) =>
      Math.max(pct(f.ui, 95), pct(f.api, 95)) > Math.max(pct(a.ui, 95), pct(a.api, 95)) ? f : a,
    );
    const worst95 = Math.max(pct(worst.ui, 95), pct(worst.api, 95));
    reportTarget({
      bench: "web",
      target: `events page, any one filter (q aside): p95 < ${ms(TARGET_MS)}`,
      figure: `worst p95 ${ms(worst95)} (${worst.c.name}); ${held.filter((f) => Math.max(pct(f.ui, 95), pct(f.api, 95)) >= TARGET_MS).length} of ${held.length} cases over`,
      met: worst95 < TARGET_MS,
    });
    const freeText = figures.filter((f) => f.c.freeText);
    if (freeText.length > 0) {
      const q95 = Math.max(...freeText.map((f) => pct(f.ui, 95)));
      reportTarget({
        bench: "web",
        target: `events page, q free text over 2M events: p95 < ${ms(TARGET_MS)}`,
        figure: `worst p95 ${ms(q95)} (LIKE '%x%' scans every row)`,
        met: q95 < TARGET_MS,
      });
    }

    // Stalls: /health while heavy reads run in the service (on its read worker).
    const heavy = "q=zzqqxx";
    const idle = await probeHealth(base, 3_000);
    const requests = heavyRequests(base, heavy, 5);
    const busy = await probeHealth(base, requests);
    const heavyTook = await requests;
    console.log(`\n/health while heavy reads run in the service (${heavy}: ${ms(pct(heavyTook, 50))} each)`);
    console.log(
      `  idle:               p50 ${ms(pct(idle, 50))}  p99 ${ms(pct(idle, 99))}  max ${ms(Math.max(...idle))}  (n ${idle.length})`,
    );
    console.log(
      `  during heavy reads: p50 ${ms(pct(busy, 50))}  p99 ${ms(pct(busy, 99))}  max ${ms(Math.max(...busy))}  (n ${busy.length})`,
    );

    // The same read on this process's main thread against through a ReadWorker.
    const query = parseEventQuery(new URLSearchParams(heavy), Date.now());
    const main = await loopDelayDuring(async () => {
      for (let i = 0; i < 3; i++) {
        runRead(sqlite, "eventPage", query);
        await sleep(0);
      }
    });
    const worker = new ReadWorker(dbFile);
    await worker.run("eventPage", parseEventQuery(new URLSearchParams("limit=1"), Date.now())); // started
    const off = await loopDelayDuring(async () => {
      for (let i = 0; i < 3; i++) await worker.run("eventPage", query);
    });
    await worker.close();
    console.log(`\nEvent loop delay while the heavy read runs 3× (${heavy})`);
    console.log(
      `  on the main thread: max ${ms(main.max)}  p99 ${ms(main.p99)}  (3 reads took ${ms(main.took)})`,
    );
    console.log(
      `  on a ReadWorker:    max ${ms(off.max)}  p99 ${ms(off.p99)}  (3 reads took ${ms(off.took)})`,
    );
    reportTarget({
      bench: "web",
      target: "a heavy UI read does not stall the service: /health p99 during it < 50 ms",
      figure: `/health p99 ${ms(pct(busy, 99))} during, ${ms(pct(idle, 99))} idle; loop delay max ${ms(off.max)} on the worker vs ${ms(main.max)} on the main thread`,
      met: pct(busy, 99) < 50,
    });
    sqlite.close();
  } finally {
    if (service && service.exitCode === null) {
      service.kill("SIGTERM");
      await new Promise((r) => service!.once("exit", r));
    }
    removeDir(dir);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
