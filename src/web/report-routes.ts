/**
 * Reports: `/ui/reports` (the index), `/ui/reports/<daily|weekly|monthly>?date=…&utc=1&top=N` and
 * their JSON twins under `/api/reports/…`. The period follows the `report` command's rules
 * (src/report/period.ts: `date` is the first day, any day of the month for monthly; default as the
 * command's), and `/api/reports/<kind>` answers exactly what `report <kind> --format json` prints.
 */
import { Hono } from "hono";
import { REPORT_KINDS, type ReportKind } from "../model/report-kind.ts";
import {
  addDays,
  addMonths,
  type CivilDate,
  civilDateOf,
  defaultFirstDay,
  firstDayOf,
  formatCivil,
  parseDay,
} from "../report/period.ts";
import { renderJson } from "../report/render.ts";
import type { PageDeps } from "./page-deps.ts";
import { reportPage, reportProblemPage, reportsIndexPage } from "./report-page.ts";
import type { ReportInput } from "./report-query.ts";

const TOP_MAX = 1000;
const PARAMETERS = ["date", "utc", "top"] as const;

/** A bad parameter (the 400 names it). */
class ReportParamError extends Error {
  readonly parameter: string;
  constructor(parameter: string, problem: string) {
    super(`${parameter}: ${problem}`);
    this.parameter = parameter;
  }
}

function single(params: URLSearchParams, name: string): string | null {
  const all = params.getAll(name).filter((v) => v.trim() !== "");
  if (all.length > 1) throw new ReportParamError(name, "given more than once");
  return all[0]?.trim() ?? null;
}

/** The report `kindText` and `params` ask for, at `now`; throws ReportParamError. */
export function parseReportQuery(kindText: string, params: URLSearchParams, now: number): ReportInput {
  if (!(REPORT_KINDS as readonly string[]).includes(kindText))
    throw new ReportParamError("kind", "no such report: daily, weekly or monthly");
  const kind = kindText as ReportKind;
  for (const name of params.keys())
    if (!(PARAMETERS as readonly string[]).includes(name))
      throw new ReportParamError(name, `unknown parameter (known: ${PARAMETERS.join(", ")})`);
  const utcText = single(params, "utc");
  if (utcText !== null && !["0", "1", "true", "false"].includes(utcText))
    throw new ReportParamError("utc", "expected 1 or 0");
  const utc = utcText === "1" || utcText === "true";
  const dateText = single(params, "date");
  let first = defaultFirstDay(kind, now, utc);
  if (dateText !== null) {
    const day = parseDay(dateText, now, utc);
    if (day === null) throw new ReportParamError("date", "not a day (YYYY-MM-DD, today or yesterday)");
    if (formatCivil(day) > formatCivil(civilDateOf(now, utc)))
      throw new ReportParamError("date", `${formatCivil(day)} has not begun yet`);
    first = firstDayOf(kind, day);
  }
  const topText = single(params, "top");
  const top = topText === null ? 10 : /^\d{1,4}$/.test(topText) ? Number(topText) : Number.NaN;
  if (!(top >= 1 && top <= TOP_MAX))
    throw new ReportParamError("top", `expected a number from 1 to ${TOP_MAX}`);
  return { kind, first, utc, top, now };
}

/** The first days of the periods before and after `input`'s (the next one null until it begins). */
function neighbours(input: ReportInput): { previousDate: string; nextDate: string | null } {
  const step = (d: CivilDate, n: number) =>
    input.kind === "monthly" ? addMonths(d, n) : addDays(d, n * (input.kind === "daily" ? 1 : 7));
  const next = formatCivil(step(input.first, 1));
  const today = formatCivil(civilDateOf(input.now, input.utc));
  return { previousDate: formatCivil(step(input.first, -1)), nextDate: next > today ? null : next };
}

/** Each kind's default period, as the command's. */
function defaults(now: number) {
  const what: Record<ReportKind, string> = {
    daily: "today so far",
    weekly: "the seven days before today",
    monthly: "last month",
  };
  return REPORT_KINDS.map((kind) => ({
    kind,
    date: formatCivil(defaultFirstDay(kind, now, false)),
    what: what[kind],
  }));
}

export function reportRoutes({ reads, now }: PageDeps): Hono {
  const app = new Hono();
  app.get("/api/reports", (c) =>
    c.json({
      reports: defaults(now()).map((d) => ({ ...d, url: `/api/reports/${d.kind}?date=${d.date}` })),
    }),
  );
  app.get("/ui/reports", (c) => c.html(reportsIndexPage(defaults(now()))));
  app.get("/api/reports/:kind", async (c) => {
    let input: ReportInput;
    try {
      input = parseReportQuery(c.req.param("kind"), new URL(c.req.url).searchParams, now());
    } catch (err) {
      if (err instanceof ReportParamError)
        return c.json({ error: err.message, parameter: err.parameter }, 400);
      throw err;
    }
    const { data } = await reads.run("reportFigures", input);
    return c.body(renderJson(data), 200, { "Content-Type": "application/json; charset=utf-8" });
  });
  app.get("/ui/reports/:kind", async (c) => {
    const params = new URL(c.req.url).searchParams;
    const kindText = c.req.param("kind");
    let input: ReportInput;
    try {
      input = parseReportQuery(kindText, params, now());
    } catch (err) {
      if (!(err instanceof ReportParamError)) throw err;
      const kind = (REPORT_KINDS as readonly string[]).includes(kindText) ? (kindText as ReportKind) : null;
      return c.html(reportProblemPage(kind, params, err.message), 400);
    }
    const result = await reads.run("reportFigures", input);
    return c.html(reportPage(result, { kind: input.kind, params, ...neighbours(input) }));
  });
  return app;
}
