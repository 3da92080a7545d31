/**
 * The report pages' read: the `report` command's figures (src/report/gather.ts, the same function
 * and the same period rules), gathered on the UI's read worker, plus events per hour for a daily
 * report's chart (the command prints no hours, so this one query is the page's own).
 */
import type Database from "better-sqlite3";
import type { ReportKind } from "../model/report-kind.ts";
import { gatherReport, type ReportData } from "../report/gather.ts";
import { type CivilDate, previousPeriod, reportPeriod } from "../report/period.ts";

/** Which report: what `report <kind> --date <first> [--utc] --top <top>` makes. */
export interface ReportInput {
  kind: ReportKind;
  first: CivilDate;
  utc: boolean;
  top: number;
  /** When the report is made (ms): a running period is compared up to the same point. */
  now: number;
}

/** Events of one hour of a daily report. */
export interface HourCount {
  /** The hour's first instant (ms). */
  start: number;
  events: number;
  errors: number;
}

/** The figures and, for a daily report, its hours. */
export interface ReportResult {
  data: ReportData;
  hours: HourCount[] | null;
}

const HOUR_MS = 3_600_000;

function hourCounts(sqlite: Database.Database, start: number, end: number): HourCount[] {
  const hours: HourCount[] = [];
  for (let at = start; at < end; at += HOUR_MS) hours.push({ start: at, events: 0, errors: 0 });
  // CAST: a bound JS number is a REAL to SQLite, and so would the quotient be.
  const rows = sqlite
    .prepare(
      `SELECT CAST((occurred_at - @start) / ${HOUR_MS} AS INTEGER) AS h, count(*) AS n, sum(status = 'error') AS e
         FROM events WHERE occurred_at >= @start AND occurred_at < @end GROUP BY 1`,
    )
    .all({ start, end }) as { h: number; n: number; e: number | null }[];
  for (const r of rows) {
    const hour = hours[r.h];
    if (hour === undefined) continue;
    hour.events = r.n;
    hour.errors = r.e ?? 0;
  }
  return hours;
}

/** The report `input` names, read in one snapshot. */
export function reportFigures(sqlite: Database.Database, input: ReportInput): ReportResult {
  const period = reportPeriod(input.kind, input.first, input.utc);
  return sqlite
    .transaction((): ReportResult => {
      const data = gatherReport(sqlite, period, previousPeriod(period, input.utc), input.now, {
        top: input.top,
      });
      return { data, hours: input.kind === "daily" ? hourCounts(sqlite, period.start, period.end) : null };
    })
    .deferred();
}
