/**
 * `telegram-logger report daily|weekly|monthly` on a large audit trail: the real command, as a process,
 * over ~2 million `events` and ~1 million `messages` rows spread over 60 days (the mix the service
 * writes: deletions and edits by chat, file changes by project and user, a few % errors and
 * warnings whose texts repeat with varying numbers and paths, hourly housekeeping runs with
 * durations) and a few hundred peers. Baselines in the same run: the command's start-up (a report
 * on an empty database), the same report on a day before all data (no row in its period: what it
 * costs beyond that follows the table), and SQLite alone in this process counting and reading
 * every row of the same period (the floor of anything that reads those rows). Then the same daily
 * report on a database of 6 days with the same rows per day: its cost should follow the period's
 * rows, not the table's size. Last, the weekly report's queries run once in process, each with
 * its time and query plan; a step over events or messages not bounded by the period is marked.
 * Targets (our own): a weekly report of ~230k events in under 2 s beyond
 * start-up, peak RSS growth over the empty-period report under 32 MB, the daily report on 60
 * days within 1.5x of the same on 6 days (beyond start-up), and a monthly report (February, ~930k
 * events) costing per event within 1.5x of the weekly one: a month costs its rows, no more.
 *
 *   node bench/report.bench.ts [runs=5]
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { parseReportOptions } from "../src/report/options.ts";
import { makeReport } from "../src/report/report-command.ts";
import { databaseFileOf } from "../src/store/data-paths.ts";
import { openStore, type Store } from "../src/store/db.ts";
import { PeerStore } from "../src/store/peers.ts";
import { openReadOnly } from "../src/store/read-only.ts";
import { peerInfoOf } from "../src/telegram/message-map.ts";
import { buildWorld, messageText } from "./data.ts";
import {
  intBetween,
  makeTempDir,
  PEAK_RSS_HOOK,
  PRODUCTION_V8_FLAGS,
  peakRssMbOf,
  pick,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
  seeded,
} from "./support.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const DAY_MS = 86_400_000;
/** The first day of data (a Monday), midnight UTC. */
const FIRST_DAY = Date.UTC(2026, 0, 5);
const DAYS = 60;
const EVENTS_PER_DAY = 33_334;
const MESSAGES_PER_DAY = 16_667;
/** The daily report's day and the weekly report's first day, as day numbers from FIRST_DAY. */
const DAILY_DAY = 57;
const WEEKLY_DAY = 50;
/** The monthly report's month: February 2026, whole inside the data. */
const MONTHLY_DAY = 27;
const MONTHLY_DAYS = 28;
/** The small database holds the large one's last days, with the same rows: DAILY_DAY among them. */
const SMALL_DAYS = 6;
const WEEKLY_TARGET_S = 2;
const RSS_GROWTH_TARGET_MB = 32;
const DAY_RATIO_TARGET = 1.5;
/** A month's report may cost per event at most this times a week's. */
const MONTH_PER_EVENT_TARGET = 1.5;

const dateOf = (day: number) => new Date(FIRST_DAY + day * DAY_MS).toISOString().slice(0, 10);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const s2 = (seconds: number) => `${seconds.toFixed(2)} s`;
function row(metric: string, value: string, target?: string, met?: boolean): ResultRow {
  return { metric, value, target, met };
}

// ---------------------------------------------------------------- the database

/** Watched roots: a project and the owner the watch config names for each. */
const ROOTS = Array.from({ length: 12 }, (_, i) => ({
  root: `/srv/share/${["clients", "finance", "design", "legal"][i % 4]}-${i}`,
  project: `project-${["atlas", "borealis", "cedar", "delta", "ember", "fjord"][i % 6]}`,
  username: i % 5 === 4 ? null : `user${i % 8}`,
}));
const EXTENSIONS = ["docx", "xlsx", "pdf", "png", "txt", "md", "csv", "psd"];
const FILE_TYPES = ["file.modified", "file.modified", "file.created", "file.deleted", "file.renamed"];

type Draw = (lo: number, hi: number) => number;
/** Errors and warnings as the service words them: most repeat with a varying number or path. */
const PROBLEMS: [percent: number, kind: string, text: (n: Draw, file: string) => string][] = [
  [20, "telegram media.download_failed error", (n) => `FLOOD_WAIT_${n(3, 400)}`],
  [
    15,
    "telegram media.download_failed error",
    (n) => `timed out after ${n(3e4, 6e4)} ms: message ${n(1e4, 1e7)}`,
  ],
  [10, "system feed.post_failed error", (n) => `FLOOD_WAIT_${n(3, 90)} (caused by messages.SendMessage)`],
  [15, "fs file.error error", (_, file) => `EACCES: permission denied, open '${file}'`],
  [10, "fs file.error error", (_, file) => `ENOENT: no such file or directory, lstat "${file}"`],
  // Fewer than four digits are not masked: each count is a group of its own.
  [15, "telegram updates.gap warning", (n) => `update gap: ${n(2, 300)} updates skipped`],
  [5, "fs root.offline warning", (n) => `${ROOTS[n(0, ROOTS.length - 1)]!.root} is not mounted`],
  // Rare and all different: what no grouping folds.
  [10, "telegram update.failed error", (n) => `unexpected constructor 0x${n(1e8, 4e9).toString(16)}`],
];
const PROBLEM_DRAW = PROBLEMS.flatMap((p) => Array<(typeof PROBLEMS)[number]>(p[0]).fill(p));

/** The `events` columns a row may set besides occurred_at, source, type and status; others are null. */
const COLUMNS = "chat_id message_id path project username file_size checksum details error duration_ms";
type Columns = Record<string, string | number | null>;
const NO_COLUMNS: Columns = Object.fromEntries(COLUMNS.split(" ").map((c) => [c, null]));

interface Chat {
  chatId: number;
  chatType: string;
}

/** Fills day `day` (from FIRST_DAY): the same rows whichever database it goes into. */
function fillDay(store: Store, chats: Chat[], texts: string[], day: number): void {
  const rng = seeded(1000 + day);
  const n: Draw = (lo, hi) => intBetween(rng, lo, hi);
  const insertEvent = store.sqlite.prepare(
    `INSERT INTO events (occurred_at, recorded_at, source, type, status, correlation_id, ${COLUMNS.replaceAll(" ", ", ")})
     VALUES (@at, @at + 20, @source, @type, @status, @correlation_id, ${COLUMNS.replace(/\w+/g, "@$&").replaceAll(" ", ", ")})`,
  );
  const message = store.sqlite.prepare(
    `INSERT INTO messages (chat_id, message_id, chat_type, sender_id, date, text, outgoing, recorded_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const start = FIRST_DAY + day * DAY_MS;
  // A few chats get most deletions and most messages, as in a real account.
  const busyChat = () => chats[Math.floor(chats.length * rng() ** 3)]!;
  store.transaction(() => {
    let housekeeping = start;
    for (let i = 0; i < EVENTS_PER_DAY; i++) {
      const at = start + Math.floor(((i + rng()) * DAY_MS) / EVENTS_PER_DAY);
      const correlation_id = `c${day}-${i >> 3}`;
      const event = (source: string, type: string, status: string, more: Columns) =>
        insertEvent.run({ ...NO_COLUMNS, ...more, at, source, type, status, correlation_id });
      for (; housekeeping <= at; housekeeping += 3_600_000) {
        const details = JSON.stringify({ messagesPurged: n(0, 500), mediaPurged: n(0, 40) });
        const run = { ...NO_COLUMNS, at: housekeeping, details, duration_ms: n(40, 6000), correlation_id };
        insertEvent.run({ ...run, source: "system", type: "housekeeping.run", status: "success" });
      }
      const r = rng();
      const ids = { chat_id: busyChat().chatId, message_id: day * 100_000 + i };
      if (r < 0.58) {
        const text = texts[i % texts.length]!;
        const details = JSON.stringify(r < 0.4 ? { text } : { before: text, after: `${text} (edited)` });
        event("telegram", r < 0.4 ? "message.deleted" : "message.edited", "success", { ...ids, details });
        continue;
      }
      if (r >= 0.97) {
        event("telegram", "message.saved", "success", ids);
        continue;
      }
      const root = pick(rng, ROOTS);
      const dir = pick(rng, ["inbox", "archive", "2026", "drafts"]);
      const file = `${root.root}/${dir}/doc-${n(1, 5000)}.${pick(rng, EXTENSIONS)}`;
      const where = { path: file, project: root.project, username: root.username };
      if (r >= 0.94) {
        const [, kind, text] = pick(rng, PROBLEM_DRAW);
        const [source, type, status] = kind.split(" ") as [string, string, string];
        const duration_ms = type === "media.download_failed" ? n(200, 60_000) : null;
        event(source, type, status, {
          ...(source === "fs" ? where : ids),
          error: text(n, file),
          duration_ms,
        });
        continue;
      }
      const skipped = r >= 0.92;
      const type = skipped ? "file.skipped" : pick(rng, FILE_TYPES);
      event("fs", type, skipped ? "skipped" : "success", {
        ...where,
        file_size: n(100, 50_000_000),
        checksum: type === "file.deleted" ? null : n(1e15, 9e15).toString(16).padEnd(64, "0"),
        details: JSON.stringify({ root: root.root, owner: root.username, mtime: new Date(at).toISOString() }),
        error: skipped ? "larger than max_file_bytes" : null,
      });
    }
    for (let i = 0; i < MESSAGES_PER_DAY; i++) {
      const at = start + Math.floor(((i + rng()) * DAY_MS) / MESSAGES_PER_DAY);
      const { chatId, chatType } = busyChat();
      const out = chatType !== "channel" && rng() < 0.1 ? 1 : 0;
      const sender = chatType === "channel" ? null : out ? 100 : 200_000 + (i % 300);
      message.run(chatId, day * 100_000 + i, chatType, sender, at, texts[i % texts.length]!, out, at + 30);
    }
  });
}

/** A database of `days` days from `firstDay`, through `openStore` like the service's, with its peers. */
function build(dataRoot: string, firstDay: number, days: number): { file: string; seconds: number } {
  const file = databaseFileOf(dataRoot);
  const store = openStore(file);
  const world = buildWorld();
  const peers = new PeerStore(store.db);
  const chats: Chat[] = [];
  for (const e of [...world.users, ...world.groups, ...world.supergroups, ...world.channels]) {
    const peer = peerInfoOf(e, world.selfId)!;
    peers.remember(peer, FIRST_DAY);
    chats.push({ chatId: peer.peerId, chatType: peer.type });
  }
  const rng = seeded(7);
  chats.sort(() => rng() - 0.5); // which chats are busy: any type
  const texts = Array.from({ length: 2048 }, (_, i) => messageText(rng, `t${i}`).text);
  store.sqlite.pragma("cache_size = -262144"); // the fill only; the command runs with its own settings
  const t0 = performance.now();
  for (let d = firstDay; d < firstDay + days; d++) fillDay(store, chats, texts, d);
  const seconds = (performance.now() - t0) / 1000;
  store.close();
  return { file, seconds };
}

// ---------------------------------------------------------------- measuring

interface Run {
  seconds: number;
  peakRssMb: number;
  stdout: string;
}

/** The command as a process, as cron runs it; its wall time and peak RSS. */
function reportOnce(dataRoot: string, args: readonly string[]): Run {
  const t0 = performance.now();
  const argv = [...PRODUCTION_V8_FLAGS, "--import", PEAK_RSS_HOOK, MAIN, "report", ...args];
  const r = spawnSync(process.execPath, argv, {
    env: { PATH: process.env.PATH ?? "", DATA_ROOT: dataRoot },
    cwd: path.dirname(dataRoot), // no stray ./.env
    encoding: "utf8",
  });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`report ${args.join(" ")} failed (${r.status}): ${r.stderr}`);
  return { seconds, peakRssMb: peakRssMbOf(r.stderr), stdout: r.stdout };
}

interface Floor {
  rows: number;
  countMs: number;
  iterateMs: number;
}

/** SQLite alone, on fresh read-only connections like the command's: count, and read every row. */
function sqliteFloor(file: string, firstDay: number, days: number, runs: number): Floor {
  const range = [FIRST_DAY + firstDay * DAY_MS, FIRST_DAY + (firstDay + days) * DAY_MS];
  const where = "FROM events WHERE occurred_at >= ? AND occurred_at < ?";
  const once = (): Floor => {
    const sqlite = openReadOnly(file);
    try {
      let t0 = performance.now();
      const { n } = sqlite.prepare(`SELECT count(*) AS n ${where}`).get(...range) as { n: number };
      const countMs = performance.now() - t0;
      t0 = performance.now();
      let rows = 0;
      for (const _ of sqlite.prepare(`SELECT * ${where}`).iterate(...range)) rows++;
      if (rows !== n) throw new Error(`read ${rows} rows, counted ${n}`);
      return { rows, countMs, iterateMs: performance.now() - t0 };
    } finally {
      sqlite.close();
    }
  };
  const all = Array.from({ length: runs }, once);
  const mid = (key: "countMs" | "iterateMs") => median(all.map((f) => f[key]));
  return { rows: all[0]!.rows, countMs: mid("countMs"), iterateMs: mid("iterateMs") };
}

interface Traced {
  sql: string;
  args: unknown[];
  calls: number;
  ms: number;
}

/**
 * The report's queries, run once in process through a connection that records each statement's
 * SQL, first arguments and time (`iterate` is answered with `all`: the time is SQLite's alone).
 */
function traceReport(file: string, args: string[]): Traced[] {
  const sqlite = openReadOnly(file);
  const seen = new Map<string, Traced>();
  const timed = (sql: string, stmt: Database.Statement) =>
    new Proxy(stmt, {
      get(target, prop) {
        const v = Reflect.get(target, prop, target);
        if (typeof v !== "function") return v;
        if (prop !== "all" && prop !== "get" && prop !== "iterate") return v.bind(target);
        return (...a: unknown[]) => {
          const t = seen.get(sql) ?? { sql, args: a, calls: 0, ms: 0 };
          seen.set(sql, t);
          t.calls++;
          const t0 = performance.now();
          const result = (prop === "iterate" ? target.all : v).apply(target, a);
          t.ms += performance.now() - t0;
          return result;
        };
      },
    });
  const traced = new Proxy(sqlite, {
    get(target, prop) {
      if (prop === "prepare") return (sql: string) => timed(sql, target.prepare(sql));
      const v = Reflect.get(target, prop, target);
      return typeof v === "function" ? v.bind(target) : v;
    },
  });
  try {
    const options = parseReportOptions(args, Date.now());
    if (options === "help") throw new Error("not a report");
    makeReport(traced, options, Date.now());
    return [...seen.values()];
  } finally {
    sqlite.close();
  }
}

/**
 * Prints each traced query's time and plan. A step over events or messages not bounded by the
 * period's column (`occurred_at`, `date`) costs the table, not the period: marked "!!" and returned.
 */
function printPlans(file: string, title: string, queries: Traced[]): string[] {
  const sqlite = openReadOnly(file);
  const unbounded: string[] = [];
  console.log(`\n${title}`);
  try {
    for (const q of queries) {
      const sql = q.sql.replace(/\s+/g, " ").trim();
      console.log(`  ${q.ms.toFixed(1).padStart(7)} ms  x${q.calls}  ${sql.slice(0, 140)}`);
      const plan = sqlite.prepare(`EXPLAIN QUERY PLAN ${q.sql}`).all(...q.args) as { detail: string }[];
      for (const { detail } of plan) {
        const table = /^(SCAN|SEARCH) (events|messages)\b/.test(detail);
        // The oldest event (and each chat type's oldest message) is one step at an index's start.
        const oldest = /^SELECT min\(/.test(sql);
        const bounded = oldest || /occurred_at>\?|date>\?|COVERING INDEX events_occurred_at$/.test(detail);
        if (table && !bounded) unbounded.push(`${detail} — ${sql.slice(0, 70)}…`);
        console.log(`                     ${table && !bounded ? "!! " : ""}${detail}`);
      }
    }
  } finally {
    sqlite.close();
  }
  return unbounded;
}

// ---------------------------------------------------------------- the benchmark

const on = (day: number) => ["--date", dateOf(day), "--utc"];
const VARIANTS = {
  "empty period": ["daily", ...on(-30)],
  daily: ["daily", ...on(DAILY_DAY)],
  "daily json": ["daily", ...on(DAILY_DAY), "--format", "json"],
  weekly: ["weekly", ...on(WEEKLY_DAY)],
  "weekly json": ["weekly", ...on(WEEKLY_DAY), "--format", "json"],
  monthly: ["monthly", ...on(MONTHLY_DAY)],
};
const REPORTS = ["daily", "daily json", "weekly", "weekly json", "monthly"] as const;
const target = (goal: string, figure: string, met: boolean) =>
  reportTarget({ bench: "report", target: goal, figure, met });

/** The benchmark: prints tables and the targets; never fails on a figure. */
export async function run(): Promise<void> {
  const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 5);
  const dir = makeTempDir("tl-report-bench-");
  try {
    const [large, small, empty] = ["large", "small", "empty"].map((d) => path.join(dir, d, "data"));
    const built = build(large!, 0, DAYS);
    const builtSmall = build(small!, DAYS - SMALL_DAYS, SMALL_DAYS);
    openStore(databaseFileOf(empty!)).close();
    const sizeOf = (file: string) => {
      const sqlite = openReadOnly(file);
      const count = (table: string) =>
        (sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n.toLocaleString("en");
      const size = `${count("events")} / ${count("messages")} / ${count("peers")}`;
      sqlite.close();
      return size;
    };
    printTable("the databases (through openStore, a transaction per day): events / messages / peers", [
      row(`large: ${DAYS} days`, `${sizeOf(built.file)}, built in ${s2(built.seconds)}`),
      row(`small: ${SMALL_DAYS} days`, `${sizeOf(builtSmall.file)}, built in ${s2(builtSmall.seconds)}`),
    ]);

    // Round by round, every run once, so a burst of load elsewhere touches all alike.
    const got = new Map<string, Run[]>();
    const add = (key: string, r: Run) => got.set(key, [...(got.get(key) ?? []), r]);
    for (let i = 0; i < runs; i++) {
      add("start-up", reportOnce(empty!, VARIANTS.daily));
      for (const [name, args] of Object.entries(VARIANTS)) add(name, reportOnce(large!, args));
      add("small daily", reportOnce(small!, VARIANTS.daily));
    }
    const time = (key: string) => median(got.get(key)!.map((r) => r.seconds));
    const peak = (key: string) => Math.max(...got.get(key)!.map((r) => r.peakRssMb));
    const start = time("start-up");
    const baseRss = median(got.get("empty period")!.map((r) => r.peakRssMb));
    const floors = {
      daily: sqliteFloor(built.file, DAILY_DAY, 1, runs),
      weekly: sqliteFloor(built.file, WEEKLY_DAY, 7, runs),
      monthly: sqliteFloor(built.file, MONTHLY_DAY, MONTHLY_DAYS, runs),
    };
    const growth = REPORTS.map((name) => peak(name) - baseRss);
    const reportRows = REPORTS.flatMap((name, i) => {
      const beyond = time(name) - start;
      const floor = floors[name.split(" ")[0] as "daily" | "weekly" | "monthly"];
      const vsFloor = beyond / (floor.iterateMs / 1000);
      return [
        row(
          `${name}: time; beyond start-up; that / SQLite`,
          `${s2(time(name))}; ${s2(beyond)}; ${vsFloor.toFixed(1)}x`,
        ),
        row(`${name}: peak RSS growth over the empty period`, `${growth[i]!.toFixed(1)} MB`),
      ];
    });
    const floorRow = (label: string, f: Floor) =>
      row(
        `SQLite alone, ${label}: count(*); iterate() of ${f.rows.toLocaleString("en")} rows`,
        `${f.countMs.toFixed(1)} ms; ${f.iterateMs.toFixed(0)} ms`,
      );
    const emptyPeriod = time("empty period");
    printTable(`report on ${DAYS} days of data (median of ${runs}; the command as a process)`, [
      row("start-up: a report on an empty database", `${s2(start)}, ${peak("start-up").toFixed(0)} MB peak`),
      row(
        "a day before all data (no row in the period)",
        `${s2(emptyPeriod)}, ${baseRss.toFixed(0)} MB peak`,
      ),
      row("  beyond start-up: work that follows the table", s2(emptyPeriod - start)),
      floorRow(`day ${dateOf(DAILY_DAY)}`, floors.daily),
      floorRow(`week from ${dateOf(WEEKLY_DAY)}`, floors.weekly),
      floorRow(`month from ${dateOf(MONTHLY_DAY)}`, floors.monthly),
      ...reportRows,
    ]);
    // The report says what it read: its total must be SQLite's count of the same period.
    for (const [name, floor] of Object.entries({
      "daily json": floors.daily,
      "weekly json": floors.weekly,
    })) {
      const total = (JSON.parse(got.get(name)![0]!.stdout) as { events: { total: number } }).events.total;
      if (total !== floor.rows)
        console.log(`  !! ${name}: the report counts ${total} events, SQLite ${floor.rows}`);
    }

    const bigDay = time("daily") - start;
    const smallDay = time("small daily") - start;
    const dayRatio = bigDay / smallDay;
    const smallFloor = sqliteFloor(builtSmall.file, DAILY_DAY, 1, runs);
    printTable(
      `the same daily report (${dateOf(DAILY_DAY)}, same rows) on ${DAYS} and on ${SMALL_DAYS} days of data`,
      [
        row(`${DAYS} days: time; beyond start-up`, `${s2(time("daily"))}; ${s2(bigDay)}`),
        row(`${SMALL_DAYS} days: time; beyond start-up`, `${s2(time("small daily"))}; ${s2(smallDay)}`),
        row(
          `${DAYS} vs ${SMALL_DAYS} days, beyond start-up`,
          `${dayRatio.toFixed(1)}x`,
          `< ${DAY_RATIO_TARGET}x`,
          dayRatio < DAY_RATIO_TARGET,
        ),
        row(
          "SQLite iterate() of the day",
          `${floors.daily.iterateMs.toFixed(0)} vs ${smallFloor.iterateMs.toFixed(0)} ms`,
        ),
      ],
    );

    const title = `the weekly report's queries, in process on ${DAYS} days (time; EXPLAIN QUERY PLAN)`;
    const unbounded = printPlans(built.file, title, traceReport(built.file, VARIANTS.weekly));
    console.log(`  ${unbounded.length} step(s) over events or messages not bounded by the period`);
    for (const u of unbounded) console.log(`    ${u}`);

    const weekly = Math.max(time("weekly"), time("weekly json")) - start;
    target(
      `weekly report of ${floors.weekly.rows.toLocaleString("en")} events < ${WEEKLY_TARGET_S} s beyond start-up`,
      `${s2(weekly)} (text ${s2(time("weekly") - start)}, json ${s2(time("weekly json") - start)})`,
      weekly < WEEKLY_TARGET_S,
    );
    const weeklyText = time("weekly") - start;
    const monthly = time("monthly") - start;
    const perEvent = monthly / floors.monthly.rows / (weeklyText / floors.weekly.rows);
    target(
      `a monthly report (${floors.monthly.rows.toLocaleString("en")} events) costs per event < ${MONTH_PER_EVENT_TARGET}x a weekly one`,
      `${perEvent.toFixed(2)}x (${s2(monthly)} vs ${s2(weeklyText)} beyond start-up)`,
      perEvent < MONTH_PER_EVENT_TARGET,
    );
    const worst = Math.max(...growth);
    target(
      `peak RSS growth < ${RSS_GROWTH_TARGET_MB} MB over the empty-period report`,
      `${worst.toFixed(1)} MB worst (${growth.map((g) => g.toFixed(1)).join(", ")})`,
      worst < RSS_GROWTH_TARGET_MB,
    );
    target(
      `a daily report costs its day's rows: on ${DAYS} vs ${SMALL_DAYS} days of data < ${DAY_RATIO_TARGET}x`,
      `${dayRatio.toFixed(1)}x (${s2(bigDay)} vs ${s2(smallDay)} beyond start-up)`,
      dayRatio < DAY_RATIO_TARGET,
    );
  } finally {
    removeDir(dir);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
