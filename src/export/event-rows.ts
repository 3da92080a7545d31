/**
 * What `telegram-logger export` selects and how it writes a row: the filters of its command line,
 * turned into SQL, and `events` rows as CSV or JSON lines. Pure, so the formats are tested without
 * a database; src/export/export-command.ts does the I/O.
 *
 * JSON lines carry each row exactly as the events archive does (src/housekeeping/events-archive.ts:
 * the table's column names, times in milliseconds), so archived and exported rows can be read as
 * one stream. CSV is for spreadsheets: the same columns, times as ISO 8601 UTC, RFC 4180 quoting,
 * and text that a spreadsheet would run as a formula (a file named `=HYPERLINK(…)`) prefixed with
 * an apostrophe.
 */

/** The columns of `events`, in table order: the CSV header and the JSON keys. */
export const EVENT_COLUMNS = [
  "id",
  "occurred_at",
  "recorded_at",
  "source",
  "type",
  "status",
  "chat_id",
  "message_id",
  "path",
  "project",
  "username",
  "file_size",
  "checksum",
  "details",
  "error",
  "duration_ms",
  "correlation_id",
] as const;

/** An `events` row as SQLite returns it. */
export type EventRecord = Record<(typeof EVENT_COLUMNS)[number], string | number | null>;

/** Columns holding times in milliseconds, written as ISO 8601 in CSV. */
const TIME_COLUMNS = new Set<string>(["occurred_at", "recorded_at"]);

/** The output formats. */
export type ExportFormat = "csv" | "jsonl";

/** Which rows to export; every field narrows the selection, an empty list selects all. */
export interface EventFilter {
  /** Occurred at or after (ms). */
  since: number | null;
  /** Occurred before (ms). */
  until: number | null;
  sources: string[];
  /** Exact types, or prefixes written `file.*`. */
  types: string[];
  statuses: string[];
  chatIds: number[];
}

const UNITS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The non-empty items of list values given comma-separated, repeated, or both. */
export function listItems(values: readonly string[]): string[] {
  return values
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

/** What is wrong with `values` when one is not in `allowed`; null when all are. */
export function unknownValueProblem(values: readonly string[], allowed: readonly string[]): string | null {
  const bad = values.find((v) => !allowed.includes(v));
  return bad === undefined ? null : `unknown value "${bad}" (one of ${allowed.join(", ")})`;
}

/** Said of a `since`/`until` that `parseWhen` does not take. */
export function notAWhen(text: string): string {
  return `"${text}" is not a date (2026-11-01, 2026-11-01T08:30Z) or a time ago (12h, 7d)`;
}

/** A chat id of a filter (marked, as stored), or null when `text` is none or too large to be exact. */
export function chatIdOf(text: string): number | null {
  if (!/^-?\d{1,19}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

/**
 * A point in time from the command line: `2026-11-01` (midnight UTC), `2026-11-01T08:30`
 * (UTC unless an offset follows: `Z`, `+02:00`), or a time ago: `30m`, `12h`, `7d`, `2w`.
 * Null when it is none of these.
 */
export function parseWhen(text: string, now: number): number | null {
  const ago = /^(\d+)([mhdw])$/.exec(text);
  if (ago) return now - Number(ago[1]) * UNITS[ago[2]!]!;
  const m = DATE.exec(text);
  if (!m) return null;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone = "Z"] = m;
  const offset = zone === "Z" ? "Z" : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const ms = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
  // Date.parse rolls 2026-02-31 over to March: compare the date back to refuse it.
  if (Number.isNaN(ms)) return null;
  const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (check.getUTCMonth() !== Number(mo) - 1 || check.getUTCDate() !== Number(d)) return null;
  return ms;
}

/** The WHERE clause (possibly empty) and its parameters for `filter`. */
export function whereClause(filter: EventFilter): { sql: string; params: (string | number)[] } {
  const parts: string[] = [];
  const params: (string | number)[] = [];
  if (filter.since !== null) {
    parts.push("occurred_at >= ?");
    params.push(filter.since);
  }
  if (filter.until !== null) {
    parts.push("occurred_at < ?");
    params.push(filter.until);
  }
  const anyOf = (column: string, values: readonly (string | number)[]) => {
    if (values.length === 0) return;
    parts.push(`${column} IN (${values.map(() => "?").join(", ")})`);
    params.push(...values);
  };
  anyOf("source", filter.sources);
  anyOf("status", filter.statuses);
  anyOf("chat_id", filter.chatIds);
  if (filter.types.length > 0) {
    const alternatives = filter.types.map((t) => {
      if (!t.endsWith("*")) {
        params.push(t);
        return "type = ?";
      }
      // A prefix match without LIKE's own wildcards: substr compares the prefix literally.
      const prefix = t.slice(0, -1);
      params.push([...prefix].length, prefix); // substr counts characters, not UTF-16 units
      return "substr(type, 1, ?) = ?";
    });
    parts.push(`(${alternatives.join(" OR ")})`);
  }
  return { sql: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, params };
}

/** The header line of a CSV export. */
export function csvHeader(): string {
  return `${EVENT_COLUMNS.join(",")}\r\n`;
}

/** Characters that make a spreadsheet read a cell as a formula when they come first. */
const FORMULA_START = /^[=+\-@\t\r]/;

function csvCell(column: string, value: string | number | null): string {
  if (value === null) return "";
  if (typeof value === "number") {
    if (TIME_COLUMNS.has(column)) return new Date(value).toISOString();
    // Not String(value): V8 keeps numbers converted that way in a cache that outlives young
    // collections, so a large export's ids piled up in the old generation (RSS grew with the table).
    return Number.isFinite(value) ? JSON.stringify(value) : String(value);
  }
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One row as a CSV line (CRLF-terminated, as RFC 4180 and spreadsheets expect). */
export function csvLine(row: EventRecord): string {
  let line = csvCell(EVENT_COLUMNS[0], row[EVENT_COLUMNS[0]]);
  for (let i = 1; i < EVENT_COLUMNS.length; i++)
    line += `,${csvCell(EVENT_COLUMNS[i]!, row[EVENT_COLUMNS[i]!])}`;
  return `${line}\r\n`;
}

/** One row as a JSON line, keys and values as stored (the archive's format). */
export function jsonLine(row: EventRecord): string {
  return `${JSON.stringify(row)}\n`;
}
