/**
 * The time span a report covers: a calendar day, seven of them, or a calendar month, in the
 * machine's time zone (the `TZ` the service runs with, so "daily" means the owner's day) or in
 * UTC. Days are cut at local midnight, so a day with a daylight-saving change lasts 23 or 25 hours. Pure: the clock and the
 * zone come in as arguments and through `Date`, so tests set `TZ` and `now`.
 */
import type { ReportKind } from "../model/report-kind.ts";

/** A calendar date, without a time or a zone. */
export interface CivilDate {
  year: number;
  /** 1–12. */
  month: number;
  day: number;
}

/** One calendar day of a period: [start, end) in ms, and its date as YYYY-MM-DD. */
export interface PeriodDay {
  date: string;
  start: number;
  end: number;
}

/** What a report covers. */
export interface ReportPeriod {
  kind: ReportKind;
  /** First instant (ms), inclusive. */
  start: number;
  /** Last instant (ms), exclusive. */
  end: number;
  /** Its days, in order: one for daily, seven for weekly, the month's 28 to 31 for monthly. */
  days: PeriodDay[];
  /** The zone days are cut in: an IANA name, or UTC. */
  timeZone: string;
}

/** Days a daily or weekly report covers (a monthly one covers its month). */
const LENGTH_DAYS = { daily: 1, weekly: 7 } as const;

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** `date` as YYYY-MM-DD. */
export function formatCivil(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** The date `days` after `date` (negative: before), across months and years. */
export function addDays(date: CivilDate, days: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** The calendar date of the instant `ms`, in the local zone or in UTC. */
export function civilDateOf(ms: number, utc: boolean): CivilDate {
  const d = new Date(ms);
  return utc
    ? { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() }
    : { year: d.getFullYear(), month: d.getMonth() + 1, day: d.getDate() };
}

/**
 * The instant `date` begins: its midnight in UTC, or in the local zone (where a zone skips
 * midnight, the first instant of that day that exists).
 */
export function startOfDay(date: CivilDate, utc: boolean): number {
  if (utc) return Date.UTC(date.year, date.month - 1, date.day);
  const local = new Date(date.year, date.month - 1, date.day);
  // Years 0–99 are taken as 1900–1999 by the constructor; setFullYear puts them back.
  local.setFullYear(date.year, date.month - 1, date.day);
  return local.getTime();
}

/**
 * A day from the command line: `today`, `yesterday` or YYYY-MM-DD (a real date: 2026-02-30 is
 * refused). Null when it is none of these.
 */
export function parseDay(text: string, now: number, utc: boolean): CivilDate | null {
  if (text === "today") return civilDateOf(now, utc);
  if (text === "yesterday") return addDays(civilDateOf(now, utc), -1);
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  const back = addDays(date, 0);
  if (back.month !== date.month || back.day !== date.day || date.year < 1970) return null;
  return date;
}

/** The first day of the month `months` after the one of `date` (negative: before). */
export function addMonths(date: CivilDate, months: number): CivilDate {
  const d = new Date(Date.UTC(date.year, date.month - 1 + months, 1));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: 1 };
}

/**
 * The first day of a report when none is given: today for a daily one, seven days ago for a
 * weekly one, so it covers the last seven whole days, and the first of last month for a monthly
 * one, so a cron job on the 1st reports the month just ended.
 */
export function defaultFirstDay(kind: ReportKind, now: number, utc: boolean): CivilDate {
  const today = civilDateOf(now, utc);
  if (kind === "monthly") return addMonths(today, -1);
  return kind === "daily" ? today : addDays(today, -LENGTH_DAYS.weekly);
}

/**
 * The first day a `kind` report given `day` begins on: the day itself, or for a monthly report
 * the first of its month (any day names its month).
 */
export function firstDayOf(kind: ReportKind, day: CivilDate): CivilDate {
  return kind === "monthly" ? addMonths(day, 0) : day;
}

/** How many days a `kind` report from `first` covers. */
function lengthInDays(kind: ReportKind, first: CivilDate): number {
  if (kind !== "monthly") return LENGTH_DAYS[kind];
  return new Date(Date.UTC(first.year, first.month, 0)).getUTCDate();
}

/** The zone days are cut in, as reports name it. */
function zoneName(utc: boolean): string {
  if (utc) return "UTC";
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
}

/** The period of a `kind` report whose first day is `first` (for monthly: any day of its month). */
export function reportPeriod(kind: ReportKind, given: CivilDate, utc: boolean): ReportPeriod {
  const first = firstDayOf(kind, given);
  const days: PeriodDay[] = [];
  for (let i = 0, n = lengthInDays(kind, first); i < n; i++) {
    const date = addDays(first, i);
    days.push({
      date: formatCivil(date),
      start: startOfDay(date, utc),
      end: startOfDay(addDays(date, 1), utc),
    });
  }
  return { kind, start: days[0]!.start, end: days.at(-1)!.end, days, timeZone: zoneName(utc) };
}

/**
 * The period just before `period`, of the same kind (yesterday, last week, last month), to compare
 * with.
 */
export function previousPeriod(period: ReportPeriod, utc: boolean): ReportPeriod {
  const first = parseDay(period.days[0]!.date, 0, utc)!;
  const before = period.kind === "monthly" ? addMonths(first, -1) : addDays(first, -LENGTH_DAYS[period.kind]);
  return reportPeriod(period.kind, before, utc);
}
