/**
 * How the filtered events spread over time, per hour or per day: the events page's histogram.
 *
 * Counting every match of a filter over two million events takes seconds, so the histogram counts
 * what the facets count, the newest `FACET_SAMPLE` matches, and says from when (`from`). From then
 * on the counts are exact, not a sample: the newest N matches are every match since the Nth (the
 * first bar alone may miss older matches of its bucket). Without a filter the read is the time
 * index alone (covering: no table row is read).
 * Buckets are UTC hours when the window spans up to `HOURLY_SPAN_MS`, else UTC days (the newest
 * `MAX_DAYS` of them).
 */
import type Database from "better-sqlite3";
import { type EventQuery, FACET_SAMPLE } from "./event-query.ts";
import { selectEvents } from "./event-select.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Windows up to this long are shown per hour (at most 72 bars); longer ones per day. */
export const HOURLY_SPAN_MS = 3 * DAY_MS;
/** Days shown at most: a sparse filter's matches may spread over years. */
export const MAX_DAYS = 366;
/**
 * Bars drawn at least, empty ones before the oldest match added (they are empty: every match is
 * counted then), so a burst within one hour is a bar among a day's, not a block across the page.
 */
export const MIN_BARS = { hour: 24, day: 14 } as const;

/** One bar: events from `start` (ms, UTC) for one `bucket`. */
export interface HistogramBar {
  start: number;
  count: number;
}

/** The histogram of a filter. */
export interface EventHistogram {
  bucket: "hour" | "day";
  /** Every bucket from the first to the last, empty ones included, oldest first. */
  bars: HistogramBar[];
  /** Events counted. */
  counted: number;
  /**
   * Null when every match is counted. Otherwise older matches exist than the window shows (the
   * sample was full, or days were cut), and this is the instant counting starts from: the first
   * bar counts the matches from then on only.
   */
  from: number | null;
}

/** The histogram of the events `q` selects (its cursor, order and page size play no part). */
export function eventHistogram(sqlite: Database.Database, q: EventQuery): EventHistogram {
  const { sql, params } = selectEvents(sqlite, q, {
    columns: "occurred_at",
    ascending: false,
    after: null,
    limit: FACET_SAMPLE,
  });
  const times = sqlite
    .prepare(sql)
    .pluck()
    .all(...params) as number[];
  if (times.length === 0) return { bucket: "hour", bars: [], counted: 0, from: null };
  const newest = times[0]!;
  const oldest = times.at(-1)!;
  let from = times.length === FACET_SAMPLE ? oldest : null;
  const bucket = newest - oldest <= HOURLY_SPAN_MS ? "hour" : "day";
  const size = bucket === "hour" ? HOUR_MS : DAY_MS;
  const last = Math.floor(newest / size) * size;
  let first = Math.floor(oldest / size) * size;
  if (bucket === "day" && (last - first) / size >= MAX_DAYS) {
    first = last - (MAX_DAYS - 1) * size;
    from = first;
  }
  if (from === null) first = Math.min(first, last - (MIN_BARS[bucket] - 1) * size);
  const bars: HistogramBar[] = [];
  for (let start = first; start <= last; start += size) bars.push({ start, count: 0 });
  let counted = 0;
  for (const at of times) {
    if (at < first) break;
    bars[Math.floor((at - first) / size)]!.count++;
    counted++;
  }
  return { bucket, bars, counted, from };
}
