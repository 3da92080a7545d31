/**
 * The web UI's chat pages on the web benchmark database (bench/web-data.ts: 1,000,000 messages
 * over ~420 chats, 200,000 revisions, deleted messages of every kind, media rows, 2,000,000 events),
 * copied, with one busy supergroup of 200,000 messages added to the copy (5 % deleted, 10 % edited
 * with their revisions, 20 % with media, and their events), so paging deep into a large chat is
 * measured too.
 *
 * Measured in this process, each read as the UI's worker runs it (`runRead`) plus rendering the
 * page's HTML, against SQLite's own time for the query the page cannot do without:
 * - the chat list (counts from `chat_stats`), against counting per chat over `messages` (what the
 *   list would cost without the kept counts);
 * - a chat page of 50 messages: the newest, a page deep in the busy chat (`before`), centred on a
 *   message (`around`), a jump to a day (`date`), and the newest page of the largest other chats,
 *   against the bare keyset SELECT of those 50 rows;
 * - the "what changed" feed: its newest page, one kind, one chat, a deep page.
 * Then over real HTTP from the service as a process (`node src/main.ts run`, file audit, a read
 * worker): the same chat pages and the list, end to end. Last, what the `chat_stats` triggers cost
 * ingest: inserting messages with and without them, alternating, in fresh databases.
 * Target (issue 16): a chat page < 50 ms (p95 here).
 *
 *   node bench/chats.bench.ts [--quick]   (--quick: a database of its own with 100,000 messages
 *                                          and 200,000 events, built in seconds)
 */
import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import type Database from "better-sqlite3";
import { openStore, type Store } from "../src/store/db.ts";
import { MessageStore } from "../src/store/messages.ts";
import { openReadOnly } from "../src/store/read-only.ts";
import { changesPage as changesMarkup } from "../src/web/changes-page.ts";
import type { ChangesQuery } from "../src/web/changes-query.ts";
import { chatsPage } from "../src/web/chats-page.ts";
import { runRead } from "../src/web/reads.ts";
import { transcriptPage } from "../src/web/transcript-page.ts";
import type { TranscriptAnchor } from "../src/web/transcript-query.ts";
import { buildWorld, fillMessages } from "./data.ts";
import {
  makeTempDir,
  ms,
  PRODUCTION_ENV,
  PRODUCTION_V8_FLAGS,
  printTable,
  type ResultRow,
  removeDir,
  reportTarget,
  seeded,
  stats,
  waitForHttpPort,
} from "./support.ts";
import { webBenchDatabase } from "./web-data.ts";

const MAIN = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const TOKEN = "bench-token-0123456789abcdef";
const BUSY_CHAT = -1_001_700_000_000;
const DAY_MS = 86_400_000;
const PAGE_TARGET_MS = 50;
/** Rounds of the ingest comparison. */
const ROUNDS = 5;

/** What the measurements need to know of the prepared database. */
interface Prepared {
  /** The largest chats besides the busy one. */
  smallChats: number[];
  /** The busy chat's first whole day (ms) and its message count. */
  firstDay: number;
  busyCount: number;
}

/** Adds the busy chat of `busyCount` messages over the last year; returns when it starts (ms). */
function addBusyChat(db: Database.Database, busyCount: number): number {
  const start = Date.now() - 365 * DAY_MS;
  const insert = db.prepare(
    "INSERT INTO messages (chat_id, message_id, chat_type, sender_id, date, text, recorded_at) VALUES (?, ?, 'supergroup', ?, ?, ?, ?)",
  );
  const users = buildWorld().users.map((u) => u.id.toJSNumber());
  db.transaction(() => {
    for (let i = 1; i <= busyCount; i++) {
      const date = start + Math.floor((i * 365 * DAY_MS) / busyCount);
      insert.run(
        BUSY_CHAT,
        i,
        users[i % users.length]!,
        date,
        `busy chat message ${i} with some words`,
        date,
      );
    }
    db.prepare(
      "INSERT INTO peers (peer_id, type, name, updated_at) VALUES (?, 'supergroup', 'Busy group', 0) ON CONFLICT DO NOTHING",
    ).run(BUSY_CHAT);
  })();
  return start;
}

/**
 * Changes the messages `where` selects as the service would have: 5 % deleted, 10 % edited (with
 * versions 0 and 1), 20 % with a photo (a third of them kept), and writes their events.
 */
function changeSome(db: Database.Database, where: string): void {
  db.exec(`
    UPDATE messages SET deleted_at = date + 60000, deletion_kind = CASE id % 3 WHEN 0 THEN 'own' WHEN 1 THEN 'deleted' ELSE 'auto_delete' END
      WHERE ${where} AND id % 20 = 0 AND deleted_at IS NULL;
    INSERT INTO message_revisions (message_row_id, version, text, edit_date, recorded_at)
      SELECT id, 0, text, NULL, date FROM messages WHERE ${where} AND id % 10 = 3 AND revision_count = 0;
    INSERT INTO message_revisions (message_row_id, version, text, edit_date, recorded_at)
      SELECT id, 1, text || ' (edited)', date + 1000, date + 1000 FROM messages WHERE ${where} AND id % 10 = 3 AND revision_count = 0;
    UPDATE messages SET revision_count = 1, text = text || ' (edited)', edit_date = date + 1000
      WHERE ${where} AND id % 10 = 3 AND revision_count = 0;
    UPDATE messages SET media = '{"kind":"photo","identity":"x","mimeType":"image/jpeg","size":80000}',
                        reply_to_message_id = CASE WHEN message_id > 1 THEN message_id - 1 END
      WHERE ${where} AND id % 5 = 1 AND media IS NULL;
    INSERT INTO media_files (message_row_id, status, blob, size, created_at, updated_at)
      SELECT id, CASE WHEN id % 3 = 0 THEN 'stored' ELSE 'skipped' END, CASE WHEN id % 3 = 0 THEN 'blob' || id END, 80000, date, date
        FROM messages WHERE ${where} AND id % 5 = 1 AND id NOT IN (SELECT message_row_id FROM media_files);
    INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id, details)
      SELECT deleted_at, deleted_at, 'telegram', 'message.deleted', 'success', chat_id, message_id, json_object('deletion', deletion_kind)
        FROM messages WHERE ${where} AND deleted_at IS NOT NULL;
    INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id, details)
      SELECT edit_date, edit_date, 'telegram', 'message.edited', 'success', chat_id, message_id, json_object('version', 1)
        FROM messages WHERE ${where} AND revision_count > 0;
    INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id)
      SELECT date + 5000, date + 5000, 'telegram', 'media.self_destruct_opened', 'success', chat_id, message_id
        FROM messages WHERE ${where} AND id % 997 = 0;
    INSERT INTO events (occurred_at, recorded_at, source, type, status, message_id, details)
      SELECT date + 7000, date + 7000, 'telegram', 'message.saved', 'success', message_id, json_object('link', 'https://t.me/c/1/' || message_id)
        FROM messages WHERE ${where} AND id % 1999 = 0;
  `);
}

/** --quick: a database of its own, `total` messages (a fifth in the busy chat), `eventTotal` events. */
function buildQuick(dbFile: string, total: number, eventTotal: number): Prepared {
  const busyCount = total / 5;
  fillMessages(dbFile, buildWorld(), seeded(7), total - busyCount);
  const store = openStore(dbFile);
  const db = store.sqlite;
  db.pragma("cache_size = -262144");
  const start = addBusyChat(db, busyCount);
  changeSome(db, "1");
  // File events up to the total, spread over the year.
  const fill = eventTotal - (db.prepare("SELECT count(*) FROM events").pluck().get() as number);
  const step = Math.floor((365 * DAY_MS) / fill);
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${fill})
    INSERT INTO events (occurred_at, recorded_at, source, type, status, path, project)
      SELECT ${start} + i * ${step}, ${start} + i * ${step}, 'fs', 'file.modified', 'success',
             '/srv/share/project-' || (i % 12) || '/file-' || i || '.docx', 'p' || (i % 6)
        FROM n;
  `);
  return finish(store, start, busyCount);
}

/** The web benchmark database (bench/web-data.ts) copied to `dbFile`, with the busy chat added. */
function fromWebData(dbFile: string, busyCount: number): Prepared {
  copyFileSync(webBenchDatabase(), dbFile);
  const store = openStore(dbFile);
  store.sqlite.pragma("cache_size = -262144");
  const start = addBusyChat(store.sqlite, busyCount);
  changeSome(store.sqlite, `chat_id = ${BUSY_CHAT}`);
  return finish(store, start, busyCount);
}

function finish(store: Store, start: number, busyCount: number): Prepared {
  const db = store.sqlite;
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.exec("ANALYZE");
  const smallChats = db
    .prepare("SELECT chat_id FROM chat_stats WHERE chat_id <> ? ORDER BY messages DESC LIMIT 20")
    .pluck()
    .all(BUSY_CHAT) as number[];
  store.close();
  return { smallChats, firstDay: Math.ceil(start / DAY_MS) * DAY_MS, busyCount };
}

/** Times `fn` `n` times (after one warm-up run). */
async function timed(n: number, fn: (i: number) => unknown | Promise<unknown>): Promise<number[]> {
  await fn(-1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    out.push(performance.now() - t0);
  }
  return out;
}

const fmt = (xs: number[]) => {
  const s = stats(xs);
  return `${ms(s.p50)} / ${ms(xs.length >= 20 ? s.p90 : s.max)} / ${ms(s.max)}`;
};
/** p95 (nearest rank). */
const p95 = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(0.95 * xs.length) - 1)]!;

async function inProcess(
  sqlite: Database.Database,
  data: Prepared,
  runs: number,
): Promise<{ rows: ResultRow[]; worstP95: number }> {
  const rows: ResultRow[] = [];
  let worstP95 = 0;
  const rng = seeded(11);
  const params = new URLSearchParams();
  // The chat list.
  const countOnTheFly = await timed(1, () =>
    sqlite
      .prepare(
        "SELECT chat_id, count(*), sum(deleted_at IS NOT NULL), sum(revision_count > 0), max(message_id) FROM messages GROUP BY chat_id",
      )
      .all(),
  );
  const bareList = await timed(runs, () =>
    sqlite.prepare("SELECT * FROM chat_stats s LEFT JOIN peers p ON p.peer_id = s.chat_id").all(),
  );
  const list = await timed(runs, async () =>
    String(
      await chatsPage({
        params,
        page: runRead(sqlite, "chatList", { types: [], name: null, sort: "activity", limit: 200, offset: 0 }),
        problem: null,
      }),
    ),
  );
  const chats = (sqlite.prepare("SELECT count(*) AS n FROM chat_stats").get() as { n: number }).n;
  rows.push(
    { metric: `chat list (${chats} chats): read + render, p50 / p90 / max`, value: fmt(list) },
    { metric: "  SQLite: the chat_stats rows alone", value: fmt(bareList) },
    { metric: "  SQLite: counting per chat over messages instead", value: ms(countOnTheFly[0]!) },
  );
  // Chat pages.
  const page = async (chatId: number, anchor: TranscriptAnchor) =>
    String(
      await transcriptPage({
        chatId,
        params,
        page: runRead(sqlite, "chatTranscript", { chatId, anchor, limit: 50 }),
        problem: null,
      }),
    );
  const bare = sqlite.prepare(
    "SELECT * FROM messages WHERE chat_id = ? AND message_id < ? ORDER BY message_id DESC LIMIT 50",
  );
  const randomId = () => 1 + Math.floor(rng() * data.busyCount);
  const cases: [string, (i: number) => Promise<unknown>][] = [
    ["busy chat, newest page", () => page(BUSY_CHAT, { kind: "latest" })],
    ["busy chat, before=<random id>", () => page(BUSY_CHAT, { kind: "before", messageId: randomId() })],
    ["busy chat, around=<random id>", () => page(BUSY_CHAT, { kind: "around", messageId: randomId() })],
    [
      "busy chat, date=<random day>",
      () => page(BUSY_CHAT, { kind: "date", at: data.firstDay + Math.floor(rng() * 364) * DAY_MS }),
    ],
    [
      "small chats, newest page",
      (i) => page(data.smallChats[Math.max(0, i) % data.smallChats.length]!, { kind: "latest" }),
    ],
  ];
  rows.push({
    metric: "  SQLite: the bare keyset SELECT of 50 rows",
    value: fmt(await timed(runs, () => bare.all(BUSY_CHAT, randomId()))),
  });
  for (const [name, fn] of cases) {
    const xs = await timed(runs, fn);
    worstP95 = Math.max(worstP95, p95(xs));
    rows.push({
      metric: `chat page: ${name}: read + render`,
      value: `${fmt(xs)} (p95 ${ms(p95(xs))})`,
      target: `p95 < ${PAGE_TARGET_MS} ms`,
      met: p95(xs) < PAGE_TARGET_MS,
    });
  }
  // What changed.
  const feed = async (q: Partial<ChangesQuery>) =>
    String(
      await changesMarkup({
        params,
        page: runRead(sqlite, "changeFeed", {
          kinds: [],
          chatId: null,
          limit: 50,
          before: null,
          after: null,
          ...q,
        }),
        problem: null,
      }),
    );
  const middle = sqlite
    .prepare("SELECT id FROM events WHERE type = 'message.deleted' ORDER BY id LIMIT 1 OFFSET 1000")
    .pluck()
    .get() as number;
  for (const [name, q] of [
    ["newest page", {}],
    ["kind=edited", { kinds: ["edited"] }],
    ["kind=view_once", { kinds: ["view_once"] }],
    ["chat=<busy chat>", { chatId: BUSY_CHAT }],
    ["chat=<small chat>", { chatId: data.smallChats[5]! }],
    ["a page deep in the past", { before: middle }],
  ] as [string, Partial<ChangesQuery>][]) {
    rows.push({
      metric: `what changed: ${name}: read + render`,
      value: fmt(await timed(Math.min(runs, 20), () => feed(q))),
    });
  }
  return { rows, worstP95 };
}

async function overHttp(
  dataRoot: string,
  base: string,
  data: { smallChats: number[]; busyCount: number },
  runs: number,
) {
  const folder = path.join(base, "watched");
  mkdirSync(folder, { recursive: true });
  const watchConfig = path.join(base, "watch.json");
  writeFileSync(watchConfig, JSON.stringify({ directories: [{ path: folder, project: "bench" }] }));
  const service = spawn(process.execPath, [...PRODUCTION_V8_FLAGS, MAIN, "run"], {
    env: {
      PATH: process.env.PATH ?? "",
      ...PRODUCTION_ENV,
      DATA_ROOT: dataRoot,
      WATCH_CONFIG: watchConfig,
      HEALTH_PORT: "0",
      UI_TOKEN: TOKEN,
      HOUSEKEEPING_INTERVAL_SECS: "86400",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const port = await waitForHttpPort(service);
    // Start-up work (the file audit's baseline, the first housekeeping pass) is not the pages' cost.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const rng = seeded(13);
    const get = async (p: string) => {
      const r = await fetch(`http://127.0.0.1:${port}${p}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      await r.text();
      if (r.status !== 200) throw new Error(`${p} answered ${r.status}`);
    };
    const rows: ResultRow[] = [];
    let worst = 0;
    for (const [name, p] of [
      ["/ui/chats", () => "/ui/chats"],
      ["/ui/chats/<busy>", () => `/ui/chats/${BUSY_CHAT}`],
      [
        "/ui/chats/<busy>?around=<random>",
        () => `/ui/chats/${BUSY_CHAT}?around=${1 + Math.floor(rng() * data.busyCount)}`,
      ],
      [
        "/ui/chats/<small>",
        (i: number) => `/ui/chats/${data.smallChats[Math.max(0, i) % data.smallChats.length]}`,
      ],
      [
        "/api/chats/<busy>?before=<random>",
        () => `/api/chats/${BUSY_CHAT}?before=${1 + Math.floor(rng() * data.busyCount)}`,
      ],
      ["/ui/changes", () => "/ui/changes"],
    ] as [string, (i: number) => string][]) {
      const xs = await timed(runs, (i) => get(p(i)));
      const isPage = name.startsWith("/ui/chats/") || name.startsWith("/api/chats/");
      if (isPage) worst = Math.max(worst, p95(xs));
      rows.push({
        metric: `HTTP ${name}`,
        value: `${fmt(xs)} (p95 ${ms(p95(xs))})`,
        ...(isPage ? { target: `p95 < ${PAGE_TARGET_MS} ms`, met: p95(xs) < PAGE_TARGET_MS } : {}),
      });
    }
    return { rows, worst };
  } finally {
    service.kill("SIGTERM");
    await new Promise((resolve) => service.once("exit", resolve));
  }
}

/** Messages per second stored through MessageStore, with or without the chat_stats triggers. */
function ingestRate(dir: string, name: string, triggers: boolean, n: number): number {
  const store = openStore(path.join(dir, `${name}.sqlite`));
  if (!triggers)
    for (const t of store.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'chat_stats_%'")
      .pluck()
      .all() as string[])
      store.sqlite.exec(`DROP TRIGGER ${t}`);
  const messages = new MessageStore(store.db);
  const t0 = performance.now();
  for (let i = 0; i < n; i += 100)
    store.transaction(() => {
      for (let k = i; k < i + 100; k++)
        messages.insert(
          { chatId: 1000 + (k % 400), messageId: k + 1, chatType: "user", date: k, text: `message ${k}` },
          k,
        );
    });
  const elapsed = performance.now() - t0;
  store.close();
  return (n * 1000) / elapsed;
}

export async function run(): Promise<void> {
  const quick = process.argv.includes("--quick");
  const runs = quick ? 20 : 60;
  const base = makeTempDir("tl-bench-chats-");
  try {
    const dataRoot = path.join(base, "data");
    const dbFile = path.join(dataRoot, "db", "telegram-logger.sqlite");
    mkdirSync(path.dirname(dbFile), { recursive: true, mode: 0o700 });
    const t0 = performance.now();
    const data = quick ? buildQuick(dbFile, 100_000, 200_000) : fromWebData(dbFile, 200_000);
    console.log(`built the archive in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const sqlite = openReadOnly(dbFile);
    sqlite.pragma("cache_size = -16384"); // the UI's read worker's page cache
    const local = await inProcess(sqlite, data, runs);
    sqlite.close();
    const counts = openReadOnly(dbFile);
    const count = (table: string) =>
      (counts.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number).toLocaleString("en-US");
    const scale = `${count("messages")} messages, ${count("events")} events`;
    counts.close();
    printTable(`Chat pages in process (${scale}; p50 / p90 / max)`, local.rows);
    const http = await overHttp(dataRoot, base, data, runs);
    printTable(
      `Over HTTP from the service (read worker, rendering, HTTP; p50 / p90 / max; load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs)`,
      http.rows,
    );
    const rates: { on: number[]; off: number[] } = { on: [], off: [] };
    const n = quick ? 20_000 : 100_000;
    for (let round = 0; round < ROUNDS; round++) {
      // Alternating which goes first, so neither always meets a warmer cache.
      const first = round % 2 === 0;
      if (first) rates.off.push(ingestRate(base, `off-${round}`, false, n));
      rates.on.push(ingestRate(base, `on-${round}`, true, n));
      if (!first) rates.off.push(ingestRate(base, `off-${round}`, false, n));
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const on = median(rates.on);
    const off = median(rates.off);
    printTable(
      `Storing ${n.toLocaleString("en-US")} messages (MessageStore.insert, 100 per transaction; median of ${ROUNDS}, alternating)`,
      [
        {
          metric: "without the chat_stats triggers",
          value: `${Math.round(off).toLocaleString("en-US")} msg/s`,
        },
        { metric: "with them", value: `${Math.round(on).toLocaleString("en-US")} msg/s` },
        { metric: "cost of the triggers", value: `${(((off - on) / off) * 100).toFixed(1)} %` },
      ],
    );
    const worst = Math.max(local.worstP95, http.worst);
    reportTarget({
      bench: "chats",
      target: `a chat page < ${PAGE_TARGET_MS} ms (p95, ${quick ? "100k" : "1.2M"} messages)`,
      figure: `worst p95 ${ms(worst)} (in process ${ms(local.worstP95)}, over HTTP ${ms(http.worst)})`,
      met: worst < PAGE_TARGET_MS,
    });
  } finally {
    removeDir(base);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await run();
