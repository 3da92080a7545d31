/**
 * The events list behind `/ui/events` and `/api/events`: the query string parsed strictly into a
 * filter (the `export` command's `since`, `until`, `source`, `type`, `status`, `chat`, plus `path`
 * as a prefix, `project`, `username`, `correlation`, `sender`, `q` free text), a page of rows
 * newest or oldest first (`sort`), and counts per facet for the same filter.
 *
 * Pages are keyset pages over (occurred_at, id), never OFFSET: a page deep in two million rows
 * costs what the first costs, and rows arriving meanwhile neither repeat nor vanish. The cursor is
 * opaque to clients (base64url of direction and position).
 *
 * A bad value is a `FilterError` naming the parameter (400). An unknown parameter is one too: a
 * typo (`stauts=error`) silently showing everything would mislead the reader of an audit trail.
 */
import type Database from "better-sqlite3";
import {
  chatIdOf,
  EVENT_COLUMNS,
  type EventFilter,
  type EventRecord,
  listItems,
  notAWhen,
  parseWhen,
  unknownValueProblem,
} from "../export/event-rows.ts";
import { EVENT_SOURCES, EVENT_STATUSES } from "../store/events.ts";
import { selectEvents } from "./event-select.ts";

/** The page size when `limit` is not given, and the largest allowed. */
export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 500;
/** Values listed per facet. */
export const FACET_TOP = 20;

/** A query parameter with a bad value; `parameter` is what the 400 answer names. */
export class FilterError extends Error {
  readonly parameter: string;
  constructor(parameter: string, problem: string) {
    super(`${parameter}: ${problem}`);
    this.name = "FilterError";
    this.parameter = parameter;
  }
}

/** A position in the list and which way to read from it. */
export interface Cursor {
  direction: "older" | "newer";
  occurredAt: number;
  id: number;
}

/** The orders of the list: by time, either way. */
export const EVENT_SORTS = ["newest", "oldest"] as const;
export type EventSort = (typeof EVENT_SORTS)[number];

/** The events filter of the UI: the export filter and what only the UI filters on. */
export interface EventQuery extends EventFilter {
  pathPrefix: string | null;
  project: string | null;
  username: string | null;
  correlation: string | null;
  /** The Telegram user who sent the message an event concerns (`messages.sender_id`). */
  sender: number | null;
  text: string | null;
  sort: EventSort;
  limit: number;
  cursor: Cursor | null;
}

/** Every parameter the events list takes. */
export const EVENT_PARAMETERS = [
  "since",
  "until",
  "source",
  "type",
  "status",
  "chat",
  "path",
  "project",
  "username",
  "correlation",
  "sender",
  "q",
  "sort",
  "limit",
  "cursor",
] as const;

/** A cursor as clients carry it. */
export function encodeCursor(c: Cursor): string {
  return Buffer.from(`${c.direction === "older" ? "o" : "n"}:${c.occurredAt}:${c.id}`).toString("base64url");
}

function decodeCursor(text: string): Cursor {
  const m = /^([on]):(-?\d{1,16}):(\d{1,16})$/.exec(Buffer.from(text, "base64url").toString("utf8"));
  if (!m) throw new FilterError("cursor", "not a cursor this server gave out");
  return { direction: m[1] === "o" ? "older" : "newer", occurredAt: Number(m[2]), id: Number(m[3]) };
}

/** The non-empty values of a list parameter (comma-separated or repeated). */
function listOf(params: URLSearchParams, name: string): string[] {
  return listItems(params.getAll(name));
}

function oneOf(name: string, values: string[], allowed: readonly string[]): string[] {
  const problem = unknownValueProblem(values, allowed);
  if (problem !== null) throw new FilterError(name, problem);
  return values;
}

/** The single value of `name`, trimmed; null when absent or empty (an empty form field). */
function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name).filter((v) => v.trim() !== "");
  if (all.length > 1) throw new FilterError(name, "given more than once");
  return all[0]?.trim() ?? null;
}

function whenOf(params: URLSearchParams, name: string, now: number): number | null {
  const text = single(params, name);
  if (text === null) return null;
  const at = parseWhen(text, now);
  if (at === null) throw new FilterError(name, notAWhen(text));
  return at;
}

/** `params` as an events query; throws `FilterError` naming the first bad parameter. */
export function parseEventQuery(params: URLSearchParams, now: number): EventQuery {
  for (const name of params.keys())
    if (!(EVENT_PARAMETERS as readonly string[]).includes(name))
      throw new FilterError(name, `unknown parameter (known: ${EVENT_PARAMETERS.join(", ")})`);
  const since = whenOf(params, "since", now);
  const until = whenOf(params, "until", now);
  if (since !== null && until !== null && since >= until)
    throw new FilterError("since", "must be before until");
  const limitText = single(params, "limit");
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText);
  if (!/^\d+$/.test(limitText ?? "1") || limit < 1 || limit > MAX_LIMIT)
    throw new FilterError("limit", `expected a whole number from 1 to ${MAX_LIMIT}`);
  const cursorText = single(params, "cursor");
  const senderText = single(params, "sender");
  const sender = senderText === null ? null : chatIdOf(senderText);
  if (sender === null && senderText !== null)
    throw new FilterError("sender", `"${senderText}" is not a user id`);
  const sortText = single(params, "sort") ?? "newest";
  const sort = oneOf("sort", [sortText], EVENT_SORTS)[0] as EventSort;
  return {
    since,
    until,
    sources: oneOf("source", listOf(params, "source"), EVENT_SOURCES),
    types: listOf(params, "type"),
    statuses: oneOf("status", listOf(params, "status"), EVENT_STATUSES),
    chatIds: listOf(params, "chat").map((v) => {
      const id = chatIdOf(v);
      if (id === null) throw new FilterError("chat", `"${v}" is not a chat id`);
      return id;
    }),
    pathPrefix: single(params, "path"),
    project: single(params, "project"),
    username: single(params, "username"),
    correlation: single(params, "correlation"),
    sender,
    text: single(params, "q"),
    sort,
    limit,
    cursor: cursorText === null ? null : decodeCursor(cursorText),
  };
}

/** One page of the list, in the order asked for. */
export interface EventPage {
  events: EventRecord[];
  /** The cursor of the page after this one in the list's order; null at its end. */
  next: string | null;
  /** The cursor of the page before this one; null on the first page. */
  previous: string | null;
}

/**
 * The page `q` asks for, in its order. A cursor reads away from its position either way: towards
 * the list's end (`next`) or back towards its start (`previous`, read the other way round and
 * turned back), so both are keyset reads on (occurred_at, id).
 */
export function eventPage(sqlite: Database.Database, q: EventQuery): EventPage {
  const c = q.cursor;
  const forward: Cursor["direction"] = q.sort === "newest" ? "older" : "newer";
  const backward: Cursor["direction"] = forward === "older" ? "newer" : "older";
  const reading = c?.direction ?? forward;
  const { sql, params } = selectEvents(sqlite, q, {
    columns: EVENT_COLUMNS.join(", "),
    ascending: reading === "newer",
    after: c,
    limit: q.limit + 1,
  });
  const rows = sqlite.prepare(sql).all(...params) as EventRecord[];
  const more = rows.length > q.limit;
  const page = rows.slice(0, q.limit);
  const readBack = reading !== forward;
  if (readBack) page.reverse();
  const at = (row: EventRecord | undefined, direction: Cursor["direction"]) =>
    row === undefined
      ? null
      : encodeCursor({ direction, occurredAt: Number(row.occurred_at), id: Number(row.id) });
  return {
    events: page,
    next: readBack || more ? at(page.at(-1), forward) : null,
    previous: (readBack ? more : c !== null) ? at(page[0], backward) : null,
  };
}

/** Counts per value of one column, most frequent first. */
export type FacetCounts = { value: string; count: number }[];

/** The columns counted per facet. */
export const FACETS = ["source", "status", "type"] as const;

/**
 * How many of the newest matching events the facets count. The queries run on the event loop
 * (better-sqlite3 is synchronous), so they must stay bounded: counting every match of a filter on
 * 1,000,000 events took 0.2–1.5 s here, during which nothing else of the service ran. This bounds
 * the rows counted, not the rows read: a filter that few events match still reads the time index
 * until it has found 10,000 of them (110–220 ms measured for such filters).
 */
export const FACET_SAMPLE = 10_000;

/** Counts per source, status and type (top `FACET_TOP`) among the newest `FACET_SAMPLE` rows `q` selects. */
export function eventFacets(
  sqlite: Database.Database,
  q: EventQuery,
): Record<(typeof FACETS)[number], FacetCounts> {
  const { sql, params } = selectEvents(sqlite, q, {
    columns: "source, status, type",
    ascending: false,
    after: null,
    limit: FACET_SAMPLE,
  });
  const rows = sqlite
    .prepare(sql)
    .raw()
    .all(...params) as [string, string, string][];
  const count = (column: number): FacetCounts => {
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row[column]!, (counts.get(row[column]!) ?? 0) + 1);
    return [...counts]
      .map(([value, n]) => ({ value, count: n }))
      .sort((x, y) => y.count - x.count || (x.value < y.value ? -1 : x.value > y.value ? 1 : 0))
      .slice(0, FACET_TOP);
  };
  return { source: count(0), status: count(1), type: count(2) };
}
