/**
 * The web UI's benchmark database, at the scale of issue 16: 1,000,000 messages (a text of its own
 * each, Russian and Ukrainian words among them), 200,000 message revisions, deleted messages of
 * every deletion kind, media rows, and 2,000,000 events of every source, type and status the
 * service writes, in realistic proportions. Built through the project's own store (`openStore`,
 * the committed migrations), so it has exactly the schema and indexes the service has.
 *
 * Building takes a few minutes, so it is built once and kept in `/tmp/tl-web-bench-<key>/`, where
 * `<key>` hashes the migrations and this generator's version: a new migration (an index, a search
 * table) builds a new one. `--rebuild` on the command line (or `rebuild: true`) builds it again.
 * Benchmarks call `webBenchDatabase()` and must not write to the file they get: copy it first
 * (`copyWebBenchDatabase`) when the app will open it.
 *
 * Run alone to build it and print what it holds: `node bench/web-data.ts [--rebuild]`.
 * `BENCH_WEB_DB=<file>` makes every benchmark use that database file instead (never written).
 */
import { createHash, randomUUID } from "node:crypto";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { dataPathsOf } from "../src/store/data-paths.ts";
import { openStore } from "../src/store/db.ts";
import { buildWorld, fillMessages, messageText } from "./data.ts";
import { intBetween, pick, type Rng, seeded } from "./support.ts";

/** Bump when the generated data changes, so cached databases are rebuilt. */
const GENERATOR_VERSION = 1;

/** What the database holds (the issue's scale). */
export const WEB_BENCH_SCALE = {
  messages: 1_000_000,
  revisions: 200_000,
  events: 2_000_000,
} as const;

const HERE = path.dirname(fileURLToPath(import.meta.url));
const MIGRATIONS = path.join(HERE, "..", "drizzle");
const DAY = 86_400_000;

/** The project roots the file events are under, each with its project and user. */
export const WEB_BENCH_ROOTS = [
  { root: "/srv/projects/alpha", project: "alpha", username: "anna" },
  { root: "/srv/projects/beta-shop", project: "beta-shop", username: "bohdan" },
  { root: "/home/olena/work/site", project: "site", username: "olena" },
  { root: "/var/www/crm", project: "crm", username: "www-data" },
  { root: "/etc/nginx", project: "infra", username: "root" },
] as const;

/** The cache key: the migrations (schema and indexes) and this generator. */
function cacheKey(): string {
  const hash = createHash("sha256").update(`generator ${GENERATOR_VERSION}\n`);
  for (const name of readdirSync(MIGRATIONS)
    .filter((f) => f.endsWith(".sql"))
    .sort())
    hash.update(name).update(readFileSync(path.join(MIGRATIONS, name)));
  return hash.digest("hex").slice(0, 12);
}

/** The folder of the cached database for the current migrations. */
export function webBenchDir(): string {
  return path.join(tmpdir(), `tl-web-bench-${cacheKey()}`);
}

/**
 * The path of the benchmark database for the current migrations, built first when missing (or when
 * `rebuild`, or `--rebuild` is on the command line). Read it, never write it: see `copyWebBenchDatabase`.
 */
export function webBenchDatabase(options: { rebuild?: boolean; quiet?: boolean } = {}): string {
  // A database built before (say, by an earlier checkout's migrations), to measure on as it is.
  if (process.env.BENCH_WEB_DB) return process.env.BENCH_WEB_DB;
  const dir = webBenchDir();
  const file = path.join(dir, "telegram-logger.sqlite");
  const rebuild = options.rebuild ?? process.argv.includes("--rebuild");
  if (existsSync(file) && !rebuild) return file;
  mkdirSync(dir, { recursive: true });
  const building = path.join(dir, "building.sqlite");
  for (const f of [building, `${building}-wal`, `${building}-shm`]) rmSync(f, { force: true });
  buildDatabase(building, options.quiet ? () => {} : (line) => console.log(line));
  rmSync(file, { force: true });
  renameSync(building, file);
  return file;
}

/**
 * A private copy of the benchmark database where the service run with `DATA_ROOT=dataRoot` reads
 * its database, for a run that opens it with the app. Returns the copy's path.
 */
export function copyWebBenchDatabase(dataRoot: string): string {
  const source = webBenchDatabase();
  const target = dataPathsOf(dataRoot).dbFile;
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  copyFileSync(source, target);
  return target;
}

// ---------------------------------------------------------------- building

function buildDatabase(file: string, say: (line: string) => void): void {
  const t0 = performance.now();
  const rng = seeded(16_2026);
  say(`building the web benchmark database in ${file} ...`);
  // Secondary indexes are dropped for the bulk load and created again at the end with the same SQL
  // (one sort each instead of millions of random B-tree inserts); the file ends up as migrated.
  const store0 = openStore(file);
  const indexes = store0.sqlite
    .prepare(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('messages', 'message_revisions', 'events', 'media_files')",
    )
    .all() as { name: string; sql: string }[];
  for (const i of indexes) store0.sqlite.exec(`DROP INDEX "${i.name}"`);
  // The search index's queueing triggers too (only those: chat_stats' triggers keep counting):
  // a bulk load is "a database from before the index",
  // which the service indexes in the background (search_backfill, set at the end as the migration
  // sets it). Without the indexes dropped above, a trigger's lookup would scan a table per row.
  const triggers = store0.sqlite
    .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'search_%'")
    .all() as { name: string; sql: string }[];
  for (const t of triggers) store0.sqlite.exec(`DROP TRIGGER "${t.name}"`);
  store0.close();

  const world = buildWorld();
  const fill = fillMessages(file, world, rng, WEB_BENCH_SCALE.messages, { uniqueTexts: true });
  say(`  messages: ${WEB_BENCH_SCALE.messages.toLocaleString("en-US")} in ${(fill.ms / 1000).toFixed(1)} s`);

  const store = openStore(file);
  const sqlite = store.sqlite;
  sqlite.pragma("cache_size = -524288");
  const { chatIds, messageIds, dates } = loadMessages(sqlite);
  const now = Math.max(...dates.subarray(dates.length - 10));

  let t = performance.now();
  const revised = fillRevisions(sqlite, rng, chatIds.length);
  say(
    `  revisions: ${revised.revisions.toLocaleString("en-US")} of ${revised.edited.toLocaleString("en-US")} edited messages in ${sec(t)}`,
  );

  t = performance.now();
  const deleted = fillDeletions(sqlite, rng, chatIds.length, dates, now);
  say(`  deleted messages: ${deleted.toLocaleString("en-US")} in ${sec(t)}`);

  t = performance.now();
  const media = fillMedia(sqlite, rng, chatIds.length, dates);
  say(`  media files: ${media.toLocaleString("en-US")} in ${sec(t)}`);

  t = performance.now();
  fillEvents(sqlite, rng, { chatIds, messageIds }, now);
  say(`  events: ${WEB_BENCH_SCALE.events.toLocaleString("en-US")} in ${sec(t)}`);

  t = performance.now();
  for (const i of indexes) sqlite.exec(i.sql);
  for (const tr of triggers) sqlite.exec(tr.sql);
  sqlite.exec(`UPDATE search_backfill SET next_id = (CASE kind WHEN 0 THEN (SELECT max(id) FROM messages)
    WHEN 1 THEN (SELECT max(id) FROM message_revisions) ELSE (SELECT max(id) FROM events) END)`);
  sqlite.exec("UPDATE search_backfill SET total = next_id");
  say(`  indexes: ${indexes.length} and triggers: ${triggers.length} created again in ${sec(t)}`);
  store.close();
  const size = statSync(file).size;
  say(`built in ${sec(t0)}: ${(size / 1e6).toFixed(0)} MB`);
  printSummary(file, say);
}

const sec = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

type Sqlite = ReturnType<typeof openStore>["sqlite"];

function loadMessages(sqlite: Sqlite) {
  const n = (sqlite.prepare("SELECT max(id) FROM messages").pluck().get() as number) ?? 0;
  const chatIds = new Float64Array(n + 1);
  const messageIds = new Float64Array(n + 1);
  const dates = new Float64Array(n + 1);
  for (const [id, chat, msg, date] of sqlite
    .prepare("SELECT id, chat_id, message_id, date FROM messages")
    .raw()
    .iterate() as Iterable<[number, number, number, number]>) {
    chatIds[id] = chat;
    messageIds[id] = msg;
    dates[id] = date;
  }
  return { chatIds, messageIds, dates };
}

/** Distinct row ids (1..rows) chosen at random, `count` of them. */
function distinctRows(rng: Rng, rows: number, count: number, taken = new Set<number>()): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const id = 1 + Math.floor(rng() * rows);
    if (taken.has(id)) continue;
    taken.add(id);
    out.push(id);
  }
  return out;
}

/**
 * Edits: version 0 is the original text, then one revision per edit (1–4 edits, mostly one), the
 * message row carrying the latest text, its edit date and `revision_count`, as `applyEdit` leaves it.
 */
function fillRevisions(sqlite: Sqlite, rng: Rng, rows: number): { revisions: number; edited: number } {
  const read = sqlite.prepare("SELECT text, entities, date FROM messages WHERE id = ?");
  const insert = sqlite.prepare(
    "INSERT INTO message_revisions (message_row_id, version, text, entities, media, edit_date, recorded_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
  );
  const update = sqlite.prepare(
    "UPDATE messages SET text = ?, entities = NULL, edit_date = ?, revision_count = ? WHERE id = ?",
  );
  let revisions = 0;
  let edited = 0;
  const taken = new Set<number>();
  const batch = sqlite.transaction((ids: number[]) => {
    for (const id of ids) {
      if (revisions >= WEB_BENCH_SCALE.revisions) return;
      const m = read.get(id) as { text: string; entities: string | null; date: number };
      const left = WEB_BENCH_SCALE.revisions - revisions;
      let edits = Math.min(left - 1, editsOf(rng));
      if (left - (edits + 1) === 1) edits = left - 1; // never leave one revision over (it needs two)
      insert.run(id, 0, m.text, m.entities, null, m.date);
      let text = m.text;
      let at = m.date;
      for (let v = 1; v <= edits; v++) {
        at += intBetween(rng, 5_000, 3 * 3_600_000);
        text = editedText(rng, text);
        insert.run(id, v, text, null, at, at);
      }
      update.run(text, at, edits, id);
      revisions += edits + 1;
      edited++;
    }
  });
  while (revisions < WEB_BENCH_SCALE.revisions) batch.immediate(distinctRows(rng, rows, 20_000, taken));
  return { revisions, edited };
}

const editsOf = (rng: Rng) => {
  const r = rng();
  return r < 0.7 ? 1 : r < 0.9 ? 2 : r < 0.97 ? 3 : 4;
};

/** An edit as people make them: a typo fixed, a few words added or a sentence replaced. */
function editedText(rng: Rng, text: string): string {
  const r = rng();
  if (r < 0.4) return `${text} ${pick(rng, ["upd", "виправлено", "оновлено", "sorry", "исправил", "ок"])}`;
  if (r < 0.8) {
    const at = Math.floor(rng() * text.length);
    return `${text.slice(0, at)}${pick(rng, [" ", "!", ", ", " дуже ", " очень ", " really "])}${text.slice(at)}`;
  }
  return messageText(rng, `e${Math.floor(rng() * 1e9).toString(36)}`).text;
}

/** About 6 % of messages deleted: by someone, by the owner, by an auto-delete timer. */
function fillDeletions(sqlite: Sqlite, rng: Rng, rows: number, dates: Float64Array, now: number): number {
  const update = sqlite.prepare(
    "UPDATE messages SET deleted_at = ?, deletion_kind = ?, ttl_period = ? WHERE id = ?",
  );
  const count = Math.round(rows * 0.06);
  const ids = distinctRows(rng, rows, count);
  sqlite
    .transaction(() => {
      for (const id of ids) {
        const r = rng();
        const kind = r < 0.7 ? "deleted" : r < 0.9 ? "own" : "auto_delete";
        const ttl = kind === "auto_delete" ? pick(rng, [86_400, 604_800, 2_592_000]) : null;
        const at = Math.min(now, dates[id]! + (ttl ? ttl * 1000 : intBetween(rng, 60_000, 30 * DAY)));
        update.run(at, kind, ttl, id);
      }
    })
    .immediate();
  return count;
}

const MEDIA_KINDS = [
  { kind: "photo", mimeType: "image/jpeg", ext: "jpg", size: [40_000, 3_000_000] },
  { kind: "video", mimeType: "video/mp4", ext: "mp4", size: [500_000, 200_000_000] },
  { kind: "voice", mimeType: "audio/ogg", ext: "ogg", size: [5_000, 2_000_000] },
  { kind: "document", mimeType: "application/pdf", ext: "pdf", size: [20_000, 40_000_000] },
  { kind: "sticker", mimeType: "image/webp", ext: "webp", size: [10_000, 120_000] },
] as const;

/** About 15 % of messages carry media; each has its `media_files` row in one of the statuses. */
function fillMedia(sqlite: Sqlite, rng: Rng, rows: number, dates: Float64Array): number {
  const setMedia = sqlite.prepare("UPDATE messages SET media = ? WHERE id = ?");
  const insert = sqlite.prepare(
    "INSERT INTO media_files (message_row_id, status, reason, size, sha256, blob, vault_file, attempts, posted_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?)",
  );
  const deleted = sqlite.prepare("SELECT deleted_at IS NOT NULL FROM messages WHERE id = ?").pluck();
  const count = Math.round(rows * 0.15);
  const ids = distinctRows(rng, rows, count).sort((a, b) => a - b);
  sqlite
    .transaction(() => {
      for (const id of ids) {
        const m = pick(rng, MEDIA_KINDS);
        const size = intBetween(rng, m.size[0], m.size[1]);
        const fileName = m.kind === "document" ? `scan_${id}.${m.ext}` : null;
        setMedia.run(JSON.stringify({ kind: m.kind, fileName, mimeType: m.mimeType, size }), id);
        const r = rng();
        const isDeleted = deleted.get(id) === 1;
        const [status, reason] = isDeleted
          ? r < 0.85
            ? ["vaulted", null]
            : ["skipped", "too_large"]
          : r < 0.7
            ? ["stored", null]
            : r < 0.8
              ? ["skipped", pick(rng, ["too_large", "policy"])]
              : r < 0.9
                ? ["purged", "expired"]
                : r < 0.97
                  ? [
                      "failed",
                      pick(rng, ["FILE_REFERENCE_EXPIRED", "FLOOD_WAIT_32", "timeout after 60000 ms"]),
                    ]
                  : ["pending", null];
        const kept = status === "stored" || status === "vaulted";
        const sha = kept ? createHash("sha256").update(String(id)).digest("hex") : null;
        insert.run(
          id,
          status,
          reason,
          size,
          sha,
          status === "stored" ? sha!.slice(0, 32) : null,
          status === "vaulted" ? `${sha!.slice(0, 32)}.vault` : null,
          status === "failed" ? intBetween(rng, 1, 5) : kept ? 1 : 0,
          dates[id]!,
          dates[id]! + intBetween(rng, 100, 60_000),
        );
      }
    })
    .immediate();
  return count;
}

// ---------------------------------------------------------------- events

/** One kind of event and its share of all events. */
interface EventKind {
  share: number;
  source: "telegram" | "fs" | "system";
  type: string;
  status: "success" | "error" | "warning" | "skipped" | "pending";
}

/**
 * What a year of a busy account with a few watched project folders writes: file changes (in runs: a
 * folder pass writes several) a little over half, then Telegram edits and deletions; failures are
 * rare. Shares are of runs, not of events.
 */
const EVENT_KINDS: EventKind[] = [
  { share: 0.12, source: "fs", type: "file.modified", status: "success" },
  { share: 0.048, source: "fs", type: "file.created", status: "success" },
  { share: 0.024, source: "fs", type: "file.deleted", status: "success" },
  { share: 0.014, source: "fs", type: "file.renamed", status: "success" },
  { share: 0.008, source: "fs", type: "file.skipped", status: "skipped" },
  { share: 0.0032, source: "fs", type: "file.error", status: "error" },
  { share: 0.0002, source: "fs", type: "root.offline", status: "error" },
  { share: 0.17, source: "telegram", type: "message.deleted", status: "success" },
  { share: 0.03, source: "telegram", type: "message.deleted", status: "skipped" },
  { share: 0.2, source: "telegram", type: "message.edited", status: "success" },
  { share: 0.02, source: "telegram", type: "media.download_failed", status: "error" },
  { share: 0.012, source: "telegram", type: "message.saved", status: "success" },
  { share: 0.002, source: "telegram", type: "message.saved", status: "error" },
  { share: 0.004, source: "telegram", type: "media.self_destruct_opened", status: "success" },
  { share: 0.002, source: "telegram", type: "media.self_destruct_expired", status: "success" },
  { share: 0.001, source: "telegram", type: "update.failed", status: "error" },
  { share: 0.0005, source: "telegram", type: "updates.gap", status: "warning" },
  { share: 0.004, source: "system", type: "housekeeping.run", status: "success" },
  { share: 0.0003, source: "system", type: "housekeeping.run", status: "error" },
  { share: 0.0015, source: "system", type: "feed.post_failed", status: "error" },
  { share: 0.0002, source: "system", type: "watch.config_rejected", status: "error" },
];

const DIRS = [
  "src",
  "src/web",
  "src/api",
  "lib",
  "docs",
  "config",
  "public/img",
  "tests",
  "scripts",
  "sites-enabled",
];
const NAMES = [
  "index",
  "main",
  "server",
  "utils",
  "README",
  "звіт",
  "отчёт",
  "config",
  "app",
  "style",
  "dump",
  "notes",
];
const EXTS = [".ts", ".js", ".md", ".json", ".conf", ".css", ".txt", ".sql", ".png", ".log"];

/** A few thousand files per root, some of them renamed or deleted over the year. */
function filePool(rng: Rng): { root: (typeof WEB_BENCH_ROOTS)[number]; path: string }[] {
  const files: { root: (typeof WEB_BENCH_ROOTS)[number]; path: string }[] = [];
  for (const root of WEB_BENCH_ROOTS) {
    for (let i = 0; i < 4000; i++) {
      const dir = pick(rng, DIRS);
      const deep = rng() < 0.3 ? `/${pick(rng, ["v1", "v2", "old", "новий", "archive"])}` : "";
      files.push({ root, path: `${root.root}/${dir}${deep}/${pick(rng, NAMES)}-${i}${pick(rng, EXTS)}` });
    }
  }
  return files;
}

const ERRORS = {
  "file.error": [
    "EACCES: permission denied, open",
    "EIO: i/o error, read",
    "ENOENT: no such file or directory, lstat",
  ],
  "root.offline": ["the folder is gone (unmounted?)", "ENOTCONN: socket is not connected, scandir"],
  "media.download_failed": [
    "FILE_REFERENCE_EXPIRED",
    "FLOOD_WAIT_37",
    "timeout after 60000 ms",
    "AUTH_KEY_UNREGISTERED",
  ],
  "message.saved": ["CHANNEL_PRIVATE", "the link's chat is not one the account is in", "MSG_ID_INVALID"],
  "update.failed": ["SQLITE_BUSY: database is locked", "Cannot read properties of undefined (reading 'id')"],
  "housekeeping.run": ["vault", "buffer, retention"],
  "feed.post_failed": ["CHAT_WRITE_FORBIDDEN", "MESSAGE_TOO_LONG", "PEER_ID_INVALID", "FLOOD_WAIT_1200"],
  "watch.config_rejected": ["roots[2].path: not an absolute path", 'unknown setting "max_diff_byte"'],
} as Record<string, string[]>;

const DIFF_LINES = [
  "-  listen 80;",
  "+  listen 443 ssl;",
  "+const timeout = 30_000;",
  "-# старий коментар",
  "+# новий коментар: їжак, ґанок, єнот",
  "+SELECT * FROM invoices WHERE total > 100;",
  "-    return null;",
  "+    return cached ?? fetchAgain();",
];

/**
 * 2,000,000 events over the year before `now`, in time order (ids follow time, as the service
 * writes them), in correlated runs: a folder pass or an update writes several events at once.
 */
function fillEvents(
  sqlite: Sqlite,
  rng: Rng,
  messages: { chatIds: Float64Array; messageIds: Float64Array },
  now: number,
): void {
  const insert = sqlite.prepare(
    "INSERT INTO events (occurred_at, recorded_at, source, type, status, chat_id, message_id, path, project, username, file_size, checksum, details, error, duration_ms, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const files = filePool(rng);
  const cumulative: number[] = [];
  let sum = 0;
  for (const k of EVENT_KINDS) {
    sum += k.share;
    cumulative.push(sum);
  }
  const kindOf = () => {
    const r = rng() * sum;
    let i = 0;
    while (cumulative[i]! < r) i++;
    return EVENT_KINDS[i]!;
  };
  const rows = messages.chatIds.length - 1;
  const total = WEB_BENCH_SCALE.events;
  const start = now - 365 * DAY;
  let correlation: string | null = null;
  let runLeft = 0;
  let runKind: EventKind = EVENT_KINDS[0]!;
  let runRoot = WEB_BENCH_ROOTS[0] as (typeof WEB_BENCH_ROOTS)[number];
  const chunk = sqlite.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      if (runLeft === 0) {
        runKind = kindOf();
        runLeft =
          runKind.source === "fs"
            ? intBetween(rng, 1, rng() < 0.1 ? 40 : 6)
            : rng() < 0.8
              ? 1
              : intBetween(rng, 2, 8);
        runRoot = pick(rng, WEB_BENCH_ROOTS);
        correlation = runKind.type === "updates.gap" ? null : randomUUID();
      }
      runLeft--;
      // Mostly the run's kind (a pass writes many modifications), sometimes another of its source.
      let k = runKind;
      if (rng() < 0.25) {
        const other = kindOf();
        if (other.source === k.source) k = other;
      }
      const at = Math.round(start + (i * (now - start)) / total) + intBetween(rng, 0, 500);
      const ev = eventRow(rng, k, runRoot, files, messages, rows);
      insert.run(
        at,
        at + intBetween(rng, 1, 40),
        k.source,
        k.type,
        k.status,
        ev.chatId,
        ev.messageId,
        ev.path,
        ev.project,
        ev.username,
        ev.fileSize,
        ev.checksum,
        ev.details === null ? null : JSON.stringify(ev.details),
        ev.error,
        ev.durationMs,
        correlation,
      );
    }
  });
  for (let i = 0; i < total; i += 100_000) chunk.immediate(i, Math.min(total, i + 100_000));
}

interface EventFields {
  chatId: number | null;
  messageId: number | null;
  path: string | null;
  project: string | null;
  username: string | null;
  fileSize: number | null;
  checksum: string | null;
  details: Record<string, unknown> | null;
  error: string | null;
  durationMs: number | null;
}

function eventRow(
  rng: Rng,
  k: EventKind,
  root: (typeof WEB_BENCH_ROOTS)[number],
  files: { root: (typeof WEB_BENCH_ROOTS)[number]; path: string }[],
  messages: { chatIds: Float64Array; messageIds: Float64Array },
  rows: number,
): EventFields {
  const e: EventFields = {
    chatId: null,
    messageId: null,
    path: null,
    project: null,
    username: null,
    fileSize: null,
    checksum: null,
    details: null,
    error: null,
    durationMs: null,
  };
  const errors = ERRORS[k.type];
  if (k.status === "error" && errors) e.error = pick(rng, errors);
  if (k.source === "fs") {
    // A run stays in one root; the file is one of that root's.
    const ofRoot = WEB_BENCH_ROOTS.indexOf(root);
    const f = files[ofRoot * 4000 + Math.floor(rng() * 4000)]!;
    e.path = k.type === "root.offline" ? root.root : f.path;
    e.project = root.project;
    e.username = root.username;
    const details: Record<string, unknown> = { root: root.root };
    if (k.type === "file.skipped")
      details.reason = pick(rng, ["too large to checksum", "a socket", "a fifo"]);
    else if (e.error !== null) details.reason = e.error;
    else {
      details.kind = "file";
      details.uid = root.username === "root" ? 0 : 1000;
      details.owner = root.username;
      details.mtime = new Date(Date.UTC(2026, 0, 1) + Math.floor(rng() * 300 * DAY)).toISOString();
      e.fileSize = k.type === "file.deleted" ? null : intBetween(rng, 0, 400_000);
      e.checksum = rng() < 0.6 ? createHash("sha1").update(f.path).digest("hex").padEnd(64, "0") : null;
      if (k.type === "file.renamed") details.oldPath = f.path.replace(/(\.\w+)$/, ".old$1");
      if (k.type === "file.modified" && rng() < 0.3) {
        const lines = Array.from({ length: intBetween(rng, 2, 8) }, () => pick(rng, DIFF_LINES));
        details.diff = `--- a\n+++ b\n@@ -1,3 +1,3 @@\n${lines.join("\n")}`;
      }
    }
    e.details = details;
    return e;
  }
  if (k.source === "telegram") {
    const id = 1 + Math.floor(rng() * rows);
    switch (k.type) {
      case "message.deleted":
        e.chatId = messages.chatIds[id]!;
        e.messageId = messages.messageIds[id]!;
        e.details =
          k.status === "skipped"
            ? { reason: "message never seen" }
            : {
                deletion: pick(rng, ["deleted", "deleted", "deleted", "own", "auto_delete"]),
                chatType: "user",
              };
        break;
      case "message.edited":
        e.chatId = messages.chatIds[id]!;
        e.messageId = messages.messageIds[id]!;
        e.details = { version: intBetween(rng, 1, 4), textChanged: rng() < 0.95, mediaChanged: rng() < 0.05 };
        break;
      case "media.download_failed":
        e.chatId = messages.chatIds[id]!;
        e.messageId = messages.messageIds[id]!;
        e.durationMs = intBetween(rng, 50, 60_000);
        break;
      case "message.saved":
        e.chatId = k.status === "success" ? messages.chatIds[id]! : null;
        e.messageId = messages.messageIds[id]!;
        e.details = { link: `https://t.me/c/${1_500_000_000 + (id % 60)}/${messages.messageIds[id]}` };
        break;
      case "update.failed":
        e.details = {
          update: pick(rng, ["UpdateNewMessage", "UpdateEditChannelMessage", "UpdateDeleteMessages"]),
        };
        break;
      case "updates.gap":
        e.details = { what: "channel", channelId: 1_500_000_000 + (id % 60) };
        break;
      default:
        e.chatId = messages.chatIds[id]!;
        e.messageId = messages.messageIds[id]!;
    }
    return e;
  }
  // system
  if (k.type === "housekeeping.run") {
    e.durationMs = intBetween(rng, 20, 90_000);
    e.details = {
      counts: { bufferPurged: intBetween(rng, 0, 400), vaultPurged: intBetween(rng, 0, 50), eventsPruned: 0 },
      ...(k.status === "error" ? { errors: { vault: e.error } } : {}),
    };
  } else if (k.type === "feed.post_failed") {
    e.details = { outboxId: intBetween(rng, 1, 500_000), kind: "message.deleted", attempts: 8 };
  } else e.details = { file: "/etc/telegram-logger/watch.yaml" };
  return e;
}

// ---------------------------------------------------------------- summary

function printSummary(file: string, say: (line: string) => void): void {
  const store = openStore(file);
  const q = (sql: string) => store.sqlite.prepare(sql).all() as Record<string, unknown>[];
  const one = (sql: string) => store.sqlite.prepare(sql).pluck().get();
  say(
    `  messages ${one("SELECT count(*) FROM messages")}, revisions ${one("SELECT count(*) FROM message_revisions")}, edited ${one("SELECT count(*) FROM messages WHERE revision_count > 0")}`,
  );
  say(
    `  deleted by kind: ${q(
      "SELECT deletion_kind k, count(*) n FROM messages WHERE deleted_at IS NOT NULL GROUP BY 1",
    )
      .map((r) => `${r.k} ${r.n}`)
      .join(", ")}`,
  );
  say(
    `  media_files by status: ${q("SELECT status s, count(*) n FROM media_files GROUP BY 1 ORDER BY 2 DESC")
      .map((r) => `${r.s} ${r.n}`)
      .join(", ")}`,
  );
  say(
    `  events ${one("SELECT count(*) FROM events")}, by source: ${q(
      "SELECT source s, count(*) n FROM events GROUP BY 1 ORDER BY 2 DESC",
    )
      .map((r) => `${r.s} ${r.n}`)
      .join(", ")}`,
  );
  for (const r of q("SELECT source, type, status, count(*) n FROM events GROUP BY 1, 2, 3 ORDER BY n DESC"))
    say(`    ${r.source} ${r.type} ${r.status}: ${r.n}`);
  store.close();
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = webBenchDatabase();
  console.log(`${file} (${(statSync(file).size / 1e6).toFixed(0)} MB)`);
}
