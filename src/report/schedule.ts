/**
 * When the service posts a report to the log chat (`REPORT_TO_LOG_CHAT`): each kind once per
 * calendar period, a few minutes after the period ends, in the service's time zone. A daily report
 * covers yesterday, a weekly one the last Monday-to-Sunday week, a monthly one last month. Pure:
 * the clock, the zone and what was posted already come in as arguments.
 */

import type { ReportKind } from "../model/report-kind.ts";
import { addDays, addMonths, civilDateOf, type ReportPeriod, reportPeriod } from "./period.ts";

/**
 * How long after a period ends its report waits: updates of its last minutes may still be in the
 * ingest queue, and a catch-up after a short disconnection brings them in.
 */
export const REPORT_GRACE_MS = 5 * 60_000;

/** The last whole period of `kind` at `now`: yesterday, last week (Monday to Sunday), last month. */
export function lastCompletedPeriod(kind: ReportKind, now: number, utc: boolean): ReportPeriod {
  const today = civilDateOf(now, utc);
  if (kind === "daily") return reportPeriod(kind, addDays(today, -1), utc);
  if (kind === "monthly") return reportPeriod(kind, addMonths(today, -1), utc);
  const weekday = new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay(); // 0 = Sunday
  const thisMonday = addDays(today, -((weekday + 6) % 7));
  return reportPeriod(kind, addDays(thisMonday, -7), utc);
}

/**
 * The period whose `kind` report is due at `now`, or null: the last whole one, once its grace time
 * has passed, unless a report starting there or later was posted (`postedStart`, the start of the
 * last one posted). After the service was down for several periods only the latest is posted, not
 * a backlog of them. A `postedStart` in the future was recorded under a wrong clock (a boot before
 * the time was set) and is ignored, or no report would go out until that date.
 */
export function dueReport(
  kind: ReportKind,
  now: number,
  postedStart: number | null,
  utc: boolean,
): ReportPeriod | null {
  const period = lastCompletedPeriod(kind, now, utc);
  if (now < period.end + REPORT_GRACE_MS) return null;
  if (postedStart !== null && postedStart < now && period.start <= postedStart) return null;
  return period;
}
