/**
 * The time span a report covers: a calendar day or seven of them, in the machine's time zone (the
 * `TZ` the service runs with, so "daily" means the owner's day) or in UTC. Days are cut at local
 * midnight, so a day with a daylight-saving change lasts 23 or 25 hours. Pure: the clock and the
 * zone come in as arguments and through `Date`, so tests set `TZ` and `now`.
 */

/** Which report: one day, or the seven days from a start day (the sync-logging story's two). */
export type ReportKind = "daily" | "weekly";

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
  /** Its days, in order: one for daily, seven for weekly. */
  days: PeriodDay[];
  /** The zone days are cut in: an IANA name, or UTC. */
  timeZone: string;
}

/** Days a report of each kind covers. */
const LENGTH_DAYS: Record<ReportKind, number> = { daily: 1, weekly: 7 };

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

/**
 * The first day of a report when none is given: today for a daily one (the story's
 * `generate_daily_summary`), and seven days ago for a weekly one, so it covers the last seven
 * whole days (the story's `generate_weekly_error_analysis`).
 */
export function defaultFirstDay(kind: ReportKind, now: number, utc: boolean): CivilDate {
  const today = civilDateOf(now, utc);
  return kind === "daily" ? today : addDays(today, -LENGTH_DAYS.weekly);
}

/** The zone days are cut in, as reports name it. */
export function zoneName(utc: boolean): string {
  if (utc) return "UTC";
  return Intl.DateTimeFormat().resolvedOptions().timeZone ?? "local time";
}

/** The period of a `kind` report whose first day is `first`. */
export function reportPeriod(kind: ReportKind, first: CivilDate, utc: boolean): ReportPeriod {
  const days: PeriodDay[] = [];
  for (let i = 0; i < LENGTH_DAYS[kind]; i++) {
    const date = addDays(first, i);
    days.push({
      date: formatCivil(date),
      start: startOfDay(date, utc),
      end: startOfDay(addDays(date, 1), utc),
    });
  }
  return { kind, start: days[0]!.start, end: days.at(-1)!.end, days, timeZone: zoneName(utc) };
}

/** The period just before `period`, of the same kind (yesterday, last week), to compare with. */
export function previousPeriod(period: ReportPeriod, utc: boolean): ReportPeriod {
  const first = parseDay(period.days[0]!.date, 0, utc)!;
  return reportPeriod(period.kind, addDays(first, -LENGTH_DAYS[period.kind]), utc);
}
