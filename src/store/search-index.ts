/**
 * The full-text index behind the UI's search: three FTS5 tables (`search_messages`,
 * `search_revisions`, `search_events`, created by drizzle/0009_search_index.sql), each row keyed
 * by the source row's id, with two columns: `body` (the searchable text) and `tags` (filter
 * tokens, see `searchTag`).
 *
 * Why these choices (figures in docs/search.md, measured on this 2-core machine):
 * - Tokenizer `trigram case_sensitive 0`: it folds Unicode case (ПРИВЕТ = привет, ЇЖАК = їжак,
 *   Ґ = ґ) and matches any substring of 3+ characters. unicode61 (remove_diacritics 2) folds case
 *   too and is ~2× cheaper to write, but matches whole words only ("привет" does not find
 *   "приветствую"), which the issue rules out.
 * - Contentless with `contentless_delete=1`: the text already lives in its table; an index with
 *   its own copy would double the text on disk. Rows are deleted by id alone. Snippets are cut by
 *   the query (web/search-snippet.ts) from the source row it reads anyway.
 * - `detail=full` (the default): trigram needs positions to match a phrase of more than 3
 *   characters; detail=none/column refuse such queries.
 * - Written off the ingest path: a trigram insert costs ~50–90 µs per message here, as much as the
 *   whole ingest of one, so indexing in the writing transaction would cost ingest ~50–100 %. The
 *   writing transaction only queues the row's id (a trigger into `search_queue`, ~1 µs), so the
 *   queue is exactly as durable as the row; `SearchIndexer.step` then indexes queued rows in small
 *   transactions. A search finds a row once its queue entry is indexed (normally well under a
 *   second) and says how many wait.
 * - Rows older than the migration are indexed by the same steps, newest first, in id ranges
 *   recorded in `search_backfill`, so a restart resumes where it stopped.
 */
import type Database from "better-sqlite3";

/** What an indexed row is: its table, also the `kind` of `search_queue` and `search_backfill`. */
export const SEARCH_KINDS = ["message", "revision", "event"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

/** The FTS5 table of each kind. */
export const SEARCH_TABLES: Record<SearchKind, string> = {
  message: "search_messages",
  revision: "search_revisions",
  event: "search_events",
};

/** What a filter token stands for (its first character). */
const TAG_KIND = { chat: 0, sender: 1, source: 2, flag: 3, month: 4 } as const;
/** Private-use code points: text cannot produce them by accident, and they never reach a page. */
const TAG_BASE = 0xe000;
const HASH_BASE = 0xe100;
const HASH_SPAN = 0xf8ff - HASH_BASE + 1;

/**
 * The filter token for `value` (a chat id, a sender id, a source, `deleted`/`edited`): three
 * private-use characters, which the trigram tokenizer stores as exactly one token, so a filtered
 * search (`tags : "…"`) intersects posting lists instead of reading every match. Two values may
 * share a token (a 6144² hash); the query checks its filters on the rows themselves anyway.
 * `month` is a row's UTC month (`2026-03`, see `searchMonth`), for date ranges.
 */
export function searchTag(kind: keyof typeof TAG_KIND, value: string | number): string {
  let h = 0x811c9dc5;
  const text = String(value);
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return String.fromCharCode(
    TAG_BASE + TAG_KIND[kind],
    HASH_BASE + (h % HASH_SPAN),
    HASH_BASE + (Math.floor(h / HASH_SPAN) % HASH_SPAN),
  );
}

/** The UTC month (`2026-03`) of `at` (ms): what a row's month token holds. */
export function searchMonth(at: number): string {
  return new Date(at).toISOString().slice(0, 7);
}

interface MessageDoc {
  id: number;
  at: number;
  chat_id: number;
  sender_id: number | null;
  text: string;
  deleted: number;
  edited: number;
}
interface EventDoc {
  id: number;
  at: number;
  source: string;
  chat_id: number | null;
  path: string | null;
  error: string | null;
  details: string | null;
}

function messageTags(d: MessageDoc): string {
  const tags = [
    searchTag("chat", d.chat_id),
    searchTag("source", "telegram"),
    searchTag("month", searchMonth(d.at)),
  ];
  if (d.sender_id !== null) tags.push(searchTag("sender", d.sender_id));
  if (d.deleted) tags.push(searchTag("flag", "deleted"));
  if (d.edited) tags.push(searchTag("flag", "edited"));
  return tags.join(" ");
}

/** The diff a file event carries (important files), without parsing details that have none. */
function diffOf(details: string | null): string | null {
  if (details === null || !details.includes('"diff"')) return null;
  try {
    const diff = (JSON.parse(details) as { diff?: unknown }).diff;
    return typeof diff === "string" ? diff : null;
  } catch {
    return null;
  }
}

/** An event's searchable text: its path, error text and diff, one per line (empty: not indexed). */
export function eventBody(e: Pick<EventDoc, "path" | "error" | "details">): string {
  return [e.path, e.error, diffOf(e.details)].filter((v) => v !== null && v !== "").join("\n");
}

const MESSAGE_DOCS = `SELECT id, date AS at, chat_id, sender_id, text, deleted_at IS NOT NULL AS deleted, revision_count > 0 AS edited
  FROM messages`;
const REVISION_DOCS = `SELECT r.id, coalesce(r.edit_date, m.date) AS at, m.chat_id, m.sender_id, r.text, m.deleted_at IS NOT NULL AS deleted, 1 AS edited
  FROM message_revisions r JOIN messages m ON m.id = r.message_row_id`;
const EVENT_DOCS = "SELECT id, occurred_at AS at, source, chat_id, path, error, details FROM events";
const ID_COLUMN: Record<SearchKind, string> = { message: "id", revision: "r.id", event: "id" };
const DOCS: Record<SearchKind, string> = {
  message: MESSAGE_DOCS,
  revision: REVISION_DOCS,
  event: EVENT_DOCS,
};

/** How far the index is: the share of pre-existing rows indexed and the queued changes. */
export interface SearchIndexProgress {
  /** 0–100: rows that existed before the index was created and are indexed now. */
  percent: number;
  /** Rows still to index from before the index existed. */
  backfillLeft: number;
  /** Rows written since, waiting in the queue. */
  queued: number;
}

/** Reads the progress (on any connection, the UI's read-only one included). */
export function searchIndexProgress(sqlite: Database.Database): SearchIndexProgress {
  const b = sqlite
    .prepare(
      "SELECT coalesce(sum(next_id), 0) AS left, coalesce(sum(total), 0) AS total FROM search_backfill",
    )
    .get() as {
    left: number;
    total: number;
  };
  // Entries leave from the front only, so the ids in the queue are one run: two lookups, not a count.
  const queued = sqlite
    .prepare("SELECT coalesce(max(seq) - min(seq) + 1, 0) FROM search_queue")
    .pluck()
    .get() as number;
  const percent = b.total === 0 ? 100 : Math.floor(((b.total - b.left) / b.total) * 100);
  return { percent, backfillLeft: b.left, queued };
}

/** What one step did. */
export interface IndexStep {
  /** Queue entries handled. */
  queued: number;
  /** Pre-existing rows indexed (ids walked; rows without text are walked but not indexed). */
  backfilled: number;
  /** Whether anything is left (queue or backfill). */
  more: boolean;
}

/**
 * Keeps the FTS tables in step with their rows. Not thread-safe and synchronous: the caller runs
 * `step` inside a write transaction, at a pace it chooses (app/search-part.ts).
 */
export class SearchIndexer {
  readonly #sqlite: Database.Database;
  readonly #queue;
  readonly #dequeue;
  readonly #backfill;
  readonly #advance;
  readonly #docs: Record<SearchKind, Database.Statement>;
  readonly #range: Record<SearchKind, Database.Statement>;
  readonly #insert: Record<SearchKind, Database.Statement>;
  readonly #delete: Record<SearchKind, Database.Statement>;
  readonly #deleteRange: Record<SearchKind, Database.Statement>;

  constructor(sqlite: Database.Database) {
    this.#sqlite = sqlite;
    this.#queue = sqlite.prepare("SELECT seq, kind, row_id, fresh FROM search_queue ORDER BY seq LIMIT ?");
    this.#dequeue = sqlite.prepare("DELETE FROM search_queue WHERE seq <= ?");
    this.#backfill = sqlite.prepare(
      "SELECT kind, next_id FROM search_backfill WHERE next_id > 0 ORDER BY kind",
    );
    this.#advance = sqlite.prepare("UPDATE search_backfill SET next_id = ? WHERE kind = ?");
    const each = (make: (k: SearchKind) => string) =>
      Object.fromEntries(SEARCH_KINDS.map((k) => [k, sqlite.prepare(make(k))])) as Record<
        SearchKind,
        Database.Statement
      >;
    this.#docs = each((k) => `${DOCS[k]} WHERE ${ID_COLUMN[k]} IN (SELECT value FROM json_each(?))`);
    this.#range = each((k) => `${DOCS[k]} WHERE ${ID_COLUMN[k]} > ? AND ${ID_COLUMN[k]} <= ?`);
    this.#insert = each((k) => `INSERT INTO ${SEARCH_TABLES[k]}(rowid, body, tags) VALUES (?, ?, ?)`);
    this.#delete = each((k) => `DELETE FROM ${SEARCH_TABLES[k]} WHERE rowid = ?`);
    this.#deleteRange = each((k) => `DELETE FROM ${SEARCH_TABLES[k]} WHERE rowid > ? AND rowid <= ?`);
  }

  /** Indexes up to `max` queued changes, then (with what is left of `max`) pre-existing rows. */
  step(max: number): IndexStep {
    const queued = this.#drainQueue(max);
    const backfilled = queued < max ? this.#backfillSome(max - queued) : 0;
    const more =
      this.#sqlite.prepare("SELECT 1 FROM search_queue LIMIT 1").get() !== undefined ||
      this.#backfill.get() !== undefined;
    return { queued, backfilled, more };
  }

  #drainQueue(max: number): number {
    const entries = this.#queue.all(max) as { seq: number; kind: number; row_id: number; fresh: number }[];
    if (entries.length === 0) return 0;
    for (const [index, kind] of SEARCH_KINDS.entries()) {
      // A row queued more than once (added, then edited) is indexed once; a change first removes
      // what the index holds for it.
      const rows = new Map<number, boolean>();
      for (const e of entries)
        if (e.kind === index) rows.set(e.row_id, (rows.get(e.row_id) ?? true) && e.fresh === 1);
      if (rows.size === 0) continue;
      for (const [id, fresh] of rows) if (!fresh) this.#delete[kind].run(id);
      this.#index(kind, this.#docs[kind].all(JSON.stringify([...rows.keys()])));
    }
    this.#dequeue.run(entries.at(-1)!.seq);
    return entries.length;
  }

  #backfillSome(max: number): number {
    const next = this.#backfill.get() as { kind: number; next_id: number } | undefined;
    if (next === undefined) return 0;
    const kind = SEARCH_KINDS[next.kind]!;
    const low = Math.max(0, next.next_id - max);
    // A row of this range changed since the migration was indexed from the queue already.
    this.#deleteRange[kind].run(low, next.next_id);
    this.#index(kind, this.#range[kind].all(low, next.next_id));
    this.#advance.run(low, next.kind);
    return next.next_id - low;
  }

  #index(kind: SearchKind, docs: unknown[]): void {
    const insert = this.#insert[kind];
    if (kind === "event") {
      for (const d of docs as EventDoc[]) {
        const body = eventBody(d);
        if (body === "") continue;
        const tags = [searchTag("source", d.source), searchTag("month", searchMonth(d.at))];
        if (d.chat_id !== null) tags.push(searchTag("chat", d.chat_id));
        insert.run(d.id, body, tags.join(" "));
      }
      return;
    }
    for (const d of docs as MessageDoc[]) if (d.text !== "") insert.run(d.id, d.text, messageTags(d));
  }
}
