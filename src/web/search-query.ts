/**
 * Search behind `/ui/search` and `/api/search`: the query string parsed strictly (a bad value is a
 * `FilterError` naming the parameter), then the FTS5 tables of store/search-index.ts read.
 *
 * What the user typed is never FTS5 syntax: it is split into terms (words, or "quoted phrases"),
 * and each term goes into the expression as an FTS5 string with its quotes doubled. `AND`, `*`,
 * `NEAR(`, a lone `-` or an unbalanced quote are therefore just text to find. Every term must
 * occur (as a substring, any case); terms under 3 characters cannot be looked up by the trigram
 * index and are only checked on the rows the longer terms find.
 *
 * Cheap on purpose, at the cost of exactness in ranking: the matches are read newest first
 * (`ORDER BY rowid DESC`, which FTS5 walks without sorting) in windows until `CANDIDATES` rows pass
 * the filters or `SCAN_BUDGET` matches were read; only those are ranked (BM25's term-frequency and
 * length part — every result holds every term, so its IDF part would rank nothing). Filters on
 * deleted, edited, chat, sender and source are tokens in the index (`searchTag`), so FTS5
 * intersects them with the terms instead of reading every match; they are checked again on the
 * rows, as is the date range, which the index does not hold.
 */
import type Database from "better-sqlite3";
import { chatIdOf, listItems, notAWhen, parseWhen, unknownValueProblem } from "../export/event-rows.ts";
import { EVENT_SOURCES } from "../store/events.ts";
import {
  SEARCH_TABLES,
  type SearchIndexProgress,
  type SearchKind,
  searchIndexProgress,
  searchMonth,
  searchTag,
} from "../store/search-index.ts";
import { FilterError } from "./event-query.ts";
import { foldCase, holdsAll, occurrences, type SnippetPart, snippet } from "./search-snippet.ts";

/** Results shown when `limit` is not given, and the most allowed. */
export const DEFAULT_SEARCH_LIMIT = 50;
export const MAX_SEARCH_LIMIT = 200;
/** Rows per kind that pass the filters and are ranked (or `limit`, when larger). */
export const CANDIDATES = 100;
/** Matches read per kind at most before the search says it is incomplete. */
export const SCAN_BUDGET = 5_000;
const WINDOW = 250;
/** Characters of the query at most. */
const MAX_QUERY = 500;

/** Every parameter search takes. */
export const SEARCH_PARAMETERS = [
  "q",
  "deleted",
  "edited",
  "chat",
  "sender",
  "source",
  "since",
  "until",
  "sort",
  "limit",
] as const;

/** A parsed search. */
export interface SearchQuery {
  /** As typed (trimmed). */
  q: string;
  /** The terms, folded to lower case. */
  terms: string[];
  deletedOnly: boolean;
  editedOnly: boolean;
  chatIds: number[];
  senderIds: number[];
  sources: string[];
  since: number | null;
  until: number | null;
  sort: "relevance" | "newest";
  limit: number;
}

function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name).filter((v) => v.trim() !== "");
  if (all.length > 1) throw new FilterError(name, "given more than once");
  return all[0]?.trim() ?? null;
}

function flag(params: URLSearchParams, name: string): boolean {
  const v = single(params, name);
  if (v === null || /^(0|false|no|off)$/i.test(v)) return false;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  throw new FilterError(name, `"${v}" is not yes or no (1, 0, true, false)`);
}

function ids(params: URLSearchParams, name: string): number[] {
  return listItems(params.getAll(name)).map((v) => {
    const id = chatIdOf(v);
    if (id === null) throw new FilterError(name, `"${v}" is not an id`);
    return id;
  });
}

function when(params: URLSearchParams, name: string, now: number): number | null {
  const text = single(params, name);
  if (text === null) return null;
  const at = parseWhen(text, now);
  if (at === null) throw new FilterError(name, notAWhen(text));
  return at;
}

/** The terms of `q`: "quoted phrases" and words, quotes removed, folded, without repeats. */
export function searchTerms(q: string): string[] {
  const terms: string[] = [];
  for (const m of q.matchAll(/"([^"]*)"|(\S+)/g)) {
    const term = foldCase((m[1] ?? m[2] ?? "").replaceAll('"', "").trim());
    if (term !== "" && !terms.includes(term)) terms.push(term);
  }
  return terms;
}

/** `params` as a search; throws `FilterError` naming the first bad parameter. */
export function parseSearchQuery(params: URLSearchParams, now: number): SearchQuery {
  for (const name of params.keys())
    if (!(SEARCH_PARAMETERS as readonly string[]).includes(name))
      throw new FilterError(name, `unknown parameter (known: ${SEARCH_PARAMETERS.join(", ")})`);
  const q = single(params, "q") ?? "";
  if (q.length > MAX_QUERY) throw new FilterError("q", `longer than ${MAX_QUERY} characters`);
  const since = when(params, "since", now);
  const until = when(params, "until", now);
  if (since !== null && until !== null && since >= until)
    throw new FilterError("since", "must be before until");
  const sources = listItems(params.getAll("source"));
  const problem = unknownValueProblem(sources, EVENT_SOURCES);
  if (problem !== null) throw new FilterError("source", problem);
  const sort = single(params, "sort") ?? "relevance";
  if (sort !== "relevance" && sort !== "newest")
    throw new FilterError("sort", `unknown value "${sort}" (one of relevance, newest)`);
  const limitText = single(params, "limit");
  const limit = limitText === null ? DEFAULT_SEARCH_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? "1") || limit < 1 || limit > MAX_SEARCH_LIMIT)
    throw new FilterError("limit", `expected a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  return {
    q,
    terms: searchTerms(q),
    deletedOnly: flag(params, "deleted"),
    editedOnly: flag(params, "edited"),
    chatIds: ids(params, "chat"),
    senderIds: ids(params, "sender"),
    sources,
    since,
    until,
    sort,
    limit,
  };
}

/** One result. */
export interface SearchHit {
  kind: SearchKind;
  /** The row's id in its table (`messages`, `message_revisions`, `events`). */
  id: number;
  /** When: the message's date, the edit's date, the event's time (ms). */
  at: number;
  chatId: number | null;
  chatName: string | null;
  messageId: number | null;
  senderId: number | null;
  senderName: string | null;
  deletedAt: number | null;
  deletionKind: string | null;
  /** Versions the message has (0: never edited). */
  revisionCount: number;
  /** For a revision: which version of the message this text was (0 is the original). */
  version: number | null;
  /** Earlier versions of the same message that match too. */
  alsoInVersions: number[];
  eventType: string | null;
  status: string | null;
  source: string;
  /** Where the match is: a message's text, an event's path, error or diff. */
  field: "text" | "path" | "error" | "diff";
  snippet: SnippetPart[];
  score: number;
}

/** What a search answers. */
export interface SearchResult {
  hits: SearchHit[];
  /** False when only the newest `SCAN_BUDGET` matches of a kind were read: older ones may match too. */
  complete: boolean;
  /** True when no term has 3 characters (nothing to look up). */
  tooShort: boolean;
  index: SearchIndexProgress;
}

/** `text` as an FTS5 string: whatever it holds, it is one string token, never syntax. */
export function ftsString(text: string): string {
  return `"${text.replaceAll('"', '""')}"`;
}

const anyOf = (tags: string[]) =>
  tags.length === 1 ? ftsString(tags[0]!) : `(${tags.map(ftsString).join(" OR ")})`;

/** The FTS5 expression of `q` for `kind`; `months` the month tokens of its date range, if any. */
export function ftsExpression(q: SearchQuery, kind: SearchKind, months: string[] | null = null): string {
  const parts = q.terms.filter((t) => [...t].length >= 3).map((t) => `body : ${ftsString(t)}`);
  if (q.deletedOnly) parts.push(`tags : ${ftsString(searchTag("flag", "deleted"))}`);
  if (q.editedOnly) parts.push(`tags : ${ftsString(searchTag("flag", "edited"))}`);
  if (q.chatIds.length > 0) parts.push(`tags : ${anyOf(q.chatIds.map((id) => searchTag("chat", id)))}`);
  if (q.senderIds.length > 0 && kind !== "event")
    parts.push(`tags : ${anyOf(q.senderIds.map((id) => searchTag("sender", id)))}`);
  if (q.sources.length > 0 && kind === "event")
    parts.push(`tags : ${anyOf(q.sources.map((s) => searchTag("source", s)))}`);
  if (months !== null) parts.push(`tags : ${anyOf(months.map((m) => searchTag("month", m)))}`);
  return parts.join(" AND ");
}

/** Month tokens OR-ed at most; a longer range is checked on the rows alone. */
const MAX_MONTHS = 36;
const CHAT_TYPES = ["user", "bot", "self", "group", "supergroup", "channel"];

/**
 * The months (`2026-03`) of `q`'s date range, so FTS5 selects the range instead of the query
 * reading every newer match; the range is cut to the oldest and newest stored rows (index seeks).
 * Null without a range, or when it spans more than `MAX_MONTHS`.
 */
function monthsOf(sqlite: Database.Database, q: SearchQuery): string[] | null {
  if (q.since === null && q.until === null) return null;
  const bound = (fn: "min" | "max") => {
    const ats = CHAT_TYPES.map((t) =>
      sqlite.prepare(`SELECT ${fn}(date) FROM messages WHERE chat_type = ?`).pluck().get(t),
    );
    ats.push(sqlite.prepare(`SELECT ${fn}(occurred_at) FROM events`).pluck().get());
    const known = ats.filter((v): v is number => typeof v === "number");
    return known.length === 0 ? null : fn === "min" ? Math.min(...known) : Math.max(...known, Date.now());
  };
  const oldest = bound("min");
  const newest = bound("max");
  if (oldest === null || newest === null) return [];
  // A side beyond the stored rows is the stored rows' end: since=2001-01-01 spans no more months.
  const from = Math.max(q.since ?? oldest, oldest);
  const to = Math.min(q.until ?? newest, newest);
  const months: string[] = [];
  const at = new Date(Date.UTC(new Date(from).getUTCFullYear(), new Date(from).getUTCMonth(), 1));
  while (at.getTime() <= to) {
    months.push(searchMonth(at.getTime()));
    if (months.length > MAX_MONTHS) return null;
    at.setUTCMonth(at.getUTCMonth() + 1);
  }
  return months;
}

/** The kinds a filter can find at all. */
function kindsOf(q: SearchQuery): SearchKind[] {
  const telegram = q.sources.length === 0 || q.sources.includes("telegram");
  const kinds: SearchKind[] = telegram ? ["message", "revision"] : [];
  if (!q.deletedOnly && !q.editedOnly && q.senderIds.length === 0) kinds.push("event");
  return kinds;
}

interface Row {
  id: number;
  at: number;
  chat_id: number | null;
  message_id: number | null;
  sender_id: number | null;
  deleted_at: number | null;
  deletion_kind: string | null;
  revision_count: number;
  text: string;
  message_row_id?: number;
  version?: number;
  type?: string;
  status?: string;
  source?: string;
  path?: string | null;
  error?: string | null;
  diff?: string | null;
}

const ROWS: Record<SearchKind, string> = {
  message: `SELECT id, date AS at, chat_id, message_id, sender_id, deleted_at, deletion_kind, revision_count, text
    FROM messages WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`,
  revision: `SELECT r.id, coalesce(r.edit_date, m.date) AS at, m.chat_id, m.message_id, m.sender_id, m.deleted_at,
    m.deletion_kind, m.revision_count, r.text, r.message_row_id, r.version
    FROM message_revisions r JOIN messages m ON m.id = r.message_row_id
    WHERE r.id IN (SELECT value FROM json_each(?)) ORDER BY r.id DESC`,
  event: `SELECT id, occurred_at AS at, chat_id, message_id, NULL AS sender_id, NULL AS deleted_at,
    NULL AS deletion_kind, 0 AS revision_count, '' AS text, type, status, source, path, error,
    json_extract(details, '$.diff') AS diff
    FROM events WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id DESC`,
};

function passes(q: SearchQuery, kind: SearchKind, r: Row): boolean {
  if (q.since !== null && r.at < q.since) return false;
  if (q.until !== null && r.at >= q.until) return false;
  if (q.chatIds.length > 0 && (r.chat_id === null || !q.chatIds.includes(r.chat_id))) return false;
  if (kind === "event") return q.sources.length === 0 || q.sources.includes(r.source!);
  if (q.deletedOnly && r.deleted_at === null) return false;
  if (q.editedOnly && r.revision_count === 0) return false;
  return q.senderIds.length === 0 || (r.sender_id !== null && q.senderIds.includes(r.sender_id));
}

/** The field of a row the terms are in, and its text. */
function fieldOf(
  kind: SearchKind,
  r: Row,
  terms: string[],
): { field: SearchHit["field"]; text: string } | null {
  if (kind !== "event") return holdsAll(r.text, terms) ? { field: "text", text: r.text } : null;
  for (const field of ["path", "error", "diff"] as const) {
    const text = r[field];
    if (typeof text === "string" && holdsAll(text, terms)) return { field, text };
  }
  return null;
}

/** BM25's saturation and length normalisation (k1 1.2, b 0.75), summed over the terms. */
function score(text: string, terms: string[], averageLength: number): number {
  const length = text.length / averageLength;
  return occurrences(text, terms).reduce(
    (sum, tf) => sum + (tf * 2.2) / (tf + 1.2 * (0.25 + 0.75 * length)),
    0,
  );
}

/** The newest rows of `kind` matching `q`, at most `CANDIDATES`, and whether all matches were read. */
function candidates(sqlite: Database.Database, q: SearchQuery, kind: SearchKind, months: string[] | null) {
  const table = SEARCH_TABLES[kind];
  const matches = sqlite
    .prepare(`SELECT rowid FROM ${table} WHERE ${table} MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?`)
    .pluck();
  const load = sqlite.prepare(ROWS[kind]);
  const expression = ftsExpression(q, kind, months);
  const found: { row: Row; field: SearchHit["field"]; text: string }[] = [];
  let before = Number.MAX_SAFE_INTEGER;
  for (let read = 0; read < SCAN_BUDGET; ) {
    const ids = matches.all(expression, before, WINDOW) as number[];
    read += ids.length;
    for (const row of load.all(JSON.stringify(ids)) as Row[]) {
      if (!passes(q, kind, row)) continue;
      const f = fieldOf(kind, row, q.terms);
      if (f !== null) found.push({ row, ...f });
      if (found.length >= Math.max(CANDIDATES, q.limit)) return { found, complete: true };
    }
    if (ids.length < WINDOW) return { found, complete: true };
    before = ids.at(-1)!;
  }
  return { found, complete: false };
}

/** Runs search `q` (a read: see reads.ts). */
export function search(sqlite: Database.Database, q: SearchQuery): SearchResult {
  const index = searchIndexProgress(sqlite);
  if (!q.terms.some((t) => [...t].length >= 3)) return { hits: [], complete: true, tooShort: true, index };
  let complete = true;
  const months = monthsOf(sqlite, q);
  const all: { kind: SearchKind; row: Row; field: SearchHit["field"]; text: string }[] = [];
  for (const kind of kindsOf(q)) {
    const c = months?.length === 0 ? { found: [], complete: true } : candidates(sqlite, q, kind, months);
    complete &&= c.complete;
    for (const f of c.found) all.push({ kind, ...f });
  }
  const averageLength = Math.max(1, all.reduce((n, f) => n + f.text.length, 0) / Math.max(1, all.length));
  const hits = new Map<string, SearchHit>();
  const texts = new Map<SearchHit, string>();
  const messageOf = (f: (typeof all)[number]) =>
    f.kind === "event" ? `e${f.row.id}` : `m${f.kind === "message" ? f.row.id : f.row.message_row_id}`;
  // Messages before their revisions: a revision of a message found by its current text is noted
  // on that hit; the current version's revision row is the message itself.
  all.sort((a, b) => (a.kind === "revision" ? 1 : 0) - (b.kind === "revision" ? 1 : 0));
  for (const f of all) {
    const key = messageOf(f);
    const r = f.row;
    if (f.kind === "revision" && r.version === r.revision_count) continue;
    const s = score(f.text, q.terms, averageLength);
    const seen = hits.get(key);
    if (seen !== undefined) {
      if (f.kind === "revision") seen.alsoInVersions.push(r.version!);
      continue;
    }
    const hit: SearchHit = {
      kind: f.kind,
      id: r.id,
      at: r.at,
      chatId: r.chat_id,
      chatName: null,
      messageId: r.message_id,
      senderId: r.sender_id,
      senderName: null,
      deletedAt: r.deleted_at,
      deletionKind: r.deletion_kind,
      revisionCount: r.revision_count,
      version: f.kind === "revision" ? r.version! : null,
      alsoInVersions: [],
      eventType: r.type ?? null,
      status: r.status ?? null,
      source: r.source ?? "telegram",
      field: f.field,
      snippet: [],
      score: s,
    };
    hits.set(key, hit);
    texts.set(hit, f.text);
  }
  const ranked = [...hits.values()].sort((a, b) =>
    q.sort === "newest" ? b.at - a.at || b.id - a.id : b.score - a.score || b.at - a.at || b.id - a.id,
  );
  const shown = ranked.slice(0, q.limit);
  for (const h of shown) h.snippet = snippet(texts.get(h)!, q.terms);
  nameParties(sqlite, shown);
  return { hits: shown, complete, tooShort: false, index };
}

/** Fills in the names of the chats and senders of `hits` (peers seen). */
function nameParties(sqlite: Database.Database, hits: SearchHit[]): void {
  const wanted = new Set<number>();
  for (const h of hits) for (const id of [h.chatId, h.senderId]) if (id !== null) wanted.add(id);
  if (wanted.size === 0) return;
  const rows = sqlite
    .prepare("SELECT peer_id, name FROM peers WHERE peer_id IN (SELECT value FROM json_each(?))")
    .all(JSON.stringify([...wanted])) as { peer_id: number; name: string }[];
  const names = new Map(rows.map((r) => [r.peer_id, r.name]));
  for (const h of hits) {
    h.chatName = h.chatId === null ? null : (names.get(h.chatId) ?? null);
    h.senderName = h.senderId === null ? null : (names.get(h.senderId) ?? null);
  }
}
