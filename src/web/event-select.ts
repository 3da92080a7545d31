/**
 * The SQL of "the newest (or oldest) N events a filter selects", shaped so that SQLite answers it
 * from an index at two million events: every list of the UI (the page, the facets' and the
 * histogram's sample, the export's chunks) is this one query with other columns and sizes.
 *
 * What the shape does, each measured in bench/web.bench.ts:
 * - Each filter column has an index on (column, occurred_at) (migration 0008), so one value of it
 *   reads its newest rows in order and stops after N (source and status only for their uncommon
 *   values: `fs` and `success` are found at once in the time index). SQLite cannot merge several values of one
 *   index in order (`type IN (a, b)` sorts every match), so a list of values becomes one ordered,
 *   limited branch per value, merged (`UNION ALL`): N per value at most.
 * - A `type` prefix (`file.*`) is the list of the types recorded with that prefix, found by
 *   skipping through the type index (a few lookups, not a scan).
 * - A path prefix is a range of the (path, occurred_at) index, unless the prefix is so common among
 *   recent events that reading the time index and checking each row finds N sooner (decided from
 *   the newest `DENSITY_SAMPLE` events).
 * - The rows are picked from the indexes first (ids only), then read: a row is read only if it is
 *   one of the N, not for every candidate a sort looks at.
 * Free text (`q`) has no index: it reads rows in time order until it has N (or the table ends).
 */
import type Database from "better-sqlite3";
import type { EventFilter } from "../export/event-rows.ts";

/** What selects events: the export filter and the UI's own filters (an `EventQuery` is one). */
export interface EventSelection extends EventFilter {
  pathPrefix: string | null;
  project: string | null;
  username: string | null;
  correlation: string | null;
  sender: number | null;
  text: string | null;
}

/** What to select and how many. */
export interface SelectShape {
  /** The columns to select, as SQL (`occurred_at` and `id` are available to it). */
  columns: string;
  ascending: boolean;
  /** Rows after this position in the order (a keyset cursor), or from the start. */
  after: { occurredAt: number; id: number } | null;
  limit: number;
}

/** A statement and its parameters. */
export interface EventSql {
  sql: string;
  params: (string | number)[];
}

/** How many of the newest events a path prefix's frequency is judged on. */
export const DENSITY_SAMPLE = 1000;
/** Reading the time index for a path prefix is chosen when it should find the rows within this many. */
const TIME_SCAN_BUDGET = 50_000;

/** The length of `text` as SQLite's `substr` counts it: characters (code points), not UTF-16 units. */
const chars = (text: string) => [...text].length;

/** `text` for LIKE with its own wildcards taken literally (escape character `\`). */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}

/**
 * The least string greater than every string starting with `prefix` (in SQLite's byte order, which
 * is UTF-8's, which is code point order): its last code point plus one. Null when that is not a
 * plain character (the range is then left to the exact check alone).
 */
export function prefixEnd(prefix: string): string | null {
  const points = [...prefix];
  const last = points.pop()?.codePointAt(0);
  if (last === undefined || last >= 0x10ffff || (last >= 0xd800 && last <= 0xdfff)) return null;
  return points.join("") + String.fromCodePoint(last === 0xd7ff ? 0xe000 : last + 1);
}

/** The types recorded whose name starts with `prefix`, in order: a skip through the type index. */
function typesStartingWith(sqlite: Database.Database, prefix: string): string[] {
  const end = prefixEnd(prefix);
  const next = sqlite
    .prepare(
      end === null
        ? "SELECT type FROM events WHERE type > ? AND substr(type, 1, ?) = ? ORDER BY type LIMIT 1"
        : "SELECT type FROM events WHERE type > ? AND type < ? ORDER BY type LIMIT 1",
    )
    .pluck();
  const found: string[] = [];
  // The prefix itself may be a type; `type > prefix` starts after it.
  if (sqlite.prepare("SELECT 1 FROM events WHERE type = ? LIMIT 1").get(prefix) !== undefined)
    found.push(prefix);
  let at = prefix;
  for (;;) {
    const type = (end === null ? next.get(at, chars(prefix), prefix) : next.get(at, end)) as
      | string
      | undefined;
    if (type === undefined) return found;
    found.push(type);
    at = type;
  }
}

/** The concrete types `q` asks for (its prefixes expanded); null when it names no type. */
function typesOf(sqlite: Database.Database, q: EventSelection): string[] | null {
  if (q.types.length === 0) return null;
  const types = new Set<string>();
  for (const t of q.types) {
    if (t.endsWith("*")) for (const found of typesStartingWith(sqlite, t.slice(0, -1))) types.add(found);
    else types.add(t);
  }
  return [...types];
}

/** Whether a path prefix is common enough among recent events to read the time index for it. */
function pathIsDense(sqlite: Database.Database, prefix: string, limit: number): boolean {
  const matches = sqlite
    .prepare(
      `SELECT count(*) FROM (SELECT path FROM events ORDER BY occurred_at DESC, id DESC LIMIT ${DENSITY_SAMPLE}) WHERE substr(path, 1, ?) = ?`,
    )
    .pluck()
    .get(chars(prefix), prefix) as number;
  return matches > 0 && (limit * DENSITY_SAMPLE) / matches <= TIME_SCAN_BUDGET;
}

/** The list filters: a column and the values it may take (one branch each when there are several). */
type ListFilter = { column: string; values: (string | number)[] };

/**
 * The statement selecting `shape.columns` of the events `q` selects (its cursor, order and page
 * size play no part: `shape` says them), ordered by (occurred_at, id).
 */
export function selectEvents(sqlite: Database.Database, q: EventSelection, shape: SelectShape): EventSql {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (q.since !== null) {
    parts.push("occurred_at >= ?");
    params.push(q.since);
  }
  if (q.until !== null) {
    parts.push("occurred_at < ?");
    params.push(q.until);
  }
  const types = typesOf(sqlite, q);
  const lists: ListFilter[] = [
    { column: "chat_id", values: q.chatIds },
    { column: "type", values: types ?? [] },
    { column: "status", values: q.statuses },
    { column: "source", values: q.sources },
  ];
  // A type prefix that matches no recorded type selects nothing.
  if (types !== null && types.length === 0) parts.push("0");
  // The source and status indexes leave out the common value (`fs`, `success`, read from the time
  // index instead); SQLite uses a partial index only when the query states its condition as is.
  if (q.sources.length > 0 && !q.sources.includes("fs")) parts.push("source <> 'fs'");
  if (q.statuses.length > 0 && !q.statuses.includes("success")) parts.push("status <> 'success'");
  for (const [column, value] of [
    ["project", q.project],
    ["username", q.username],
    ["correlation_id", q.correlation],
  ] as const) {
    if (value === null) continue;
    parts.push(`${column} = ?`);
    params.push(value);
  }
  if (q.pathPrefix !== null) {
    const end = prefixEnd(q.pathPrefix);
    if (end !== null && !pathIsDense(sqlite, q.pathPrefix, shape.limit)) {
      parts.push("path >= ? AND path < ?");
      params.push(q.pathPrefix, end);
    }
    parts.push("substr(path, 1, ?) = ?");
    params.push(chars(q.pathPrefix), q.pathPrefix);
  }
  if (q.sender !== null) {
    // The sender is the message's. Read from the sender's messages to their events (the events'
    // (chat, message) index), not from the events to their messages: on 2,000,000 events a sender
    // with few of them cost a lookup per event until the page was full (4 s for a page, 39 s for
    // the histogram's sample); this way one pass over `messages` (0.4–1.9 s on 1,000,000; it has
    // no index by sender) and a lookup per message of the sender.
    parts.push("(chat_id, message_id) IN (SELECT chat_id, message_id FROM messages WHERE sender_id = ?)");
    params.push(q.sender);
  }
  if (q.text !== null) {
    const like = `%${likeLiteral(q.text)}%`;
    parts.push(
      "(path LIKE ? ESCAPE '\\' OR error LIKE ? ESCAPE '\\' OR details LIKE ? ESCAPE '\\' OR type LIKE ? ESCAPE '\\')",
    );
    params.push(like, like, like, like);
  }
  if (shape.after !== null) {
    parts.push(`(occurred_at, id) ${shape.ascending ? ">" : "<"} (?, ?)`);
    params.push(shape.after.occurredAt, shape.after.id);
  }
  const order = shape.ascending ? "ASC" : "DESC";
  const orderBy = `ORDER BY occurred_at ${order}, id ${order}`;
  // The list split into branches: the first with several values (the most selective first).
  const split = lists.find((l) => l.values.length > 1);
  const ids = (extra: string[], extraParams: (string | number)[]): EventSql => {
    const all = [...extra, ...parts];
    for (const l of lists) {
      if (l === split || l.values.length === 0) continue;
      all.push(`${l.column} IN (${l.values.map(() => "?").join(", ")})`);
    }
    const listParams = lists.flatMap((l) => (l === split ? [] : l.values));
    return {
      sql: `SELECT id, occurred_at FROM events ${all.length ? `WHERE ${all.join(" AND ")}` : ""} ${orderBy} LIMIT ?`,
      // Parameters in the order of the SQL: the branch's own, the shared conditions, lists, limit.
      params: [...extraParams, ...params, ...listParams, shape.limit],
    };
  };
  const picked = split ? split.values.map((v) => ids([`${split.column} = ?`], [v])) : [ids([], [])];
  const inner =
    picked.length === 1
      ? picked[0]!
      : {
          sql: `SELECT id, occurred_at FROM (${picked.map((b) => `SELECT * FROM (${b.sql})`).join(" UNION ALL ")}) ${orderBy} LIMIT ?`,
          params: [...picked.flatMap((b) => b.params), shape.limit],
        };
  return {
    sql: `SELECT ${shape.columns} FROM events WHERE id IN (SELECT id FROM (${inner.sql})) ${orderBy}`,
    params: inner.params,
  };
}
