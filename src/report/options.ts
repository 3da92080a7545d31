/**
 * The command line of `telegram-logger report`, parsed without side effects. Strict, like
 * `export`: an unknown flag, a day that is not one or an empty value is a usage error naming the
 * flag, so a cron line with a typo fails loudly instead of mailing the wrong period.
 */
import { parseArgs } from "node:util";
import { flagErrorMessage } from "../cli/args.ts";
import { quoted, UsageError } from "../cli/usage-error.ts";
import { REPORT_KINDS, type ReportKind } from "../model/report-kind.ts";
import { type CivilDate, civilDateOf, defaultFirstDay, firstDayOf, formatCivil, parseDay } from "./period.ts";

/** Help text of the command. */
export const REPORT_USAGE = `Usage: telegram-logger report daily|weekly|monthly [--date DAY] [--utc]
                              [--format text|json] [--top N] [--out FILE [--force]]

Summarizes the audit trail of one day (daily), seven (weekly) or a calendar month (monthly):
events by source, type and status with error rates, against the period before (while a period
runs, against the one before until the same time), messages stored, received and sent, deleted
(by others, by you, by timers) and edited, the most active chats, the chats where others deleted
most, file changes by project and by file owner, errors and warnings grouped by kind, durations
(average, p95, p99, maximum), and for a week or a month a line per day.
Runs while the service runs; needs only DATA_ROOT. For a mailed report, run it from cron: MAILTO
mails what it prints, and with --out it prints nothing unless it fails.

  daily          one calendar day; by default today, so far
  weekly         seven calendar days; by default the seven days before today
  monthly        one calendar month; by default last month
  --date DAY     daily: that day; weekly: the first of the seven; monthly: any day of the month.
                 DAY is YYYY-MM-DD, today or yesterday, and not after today
  --utc          cut days at midnight UTC (default: midnight in the machine's time zone, TZ)
  --format F     text (default) or json (every figure; times in ISO 8601 UTC)
  --top N        lines in each top list: chats, file owners, kinds of error (default 10, at most
                 1000)
  --out FILE     write to FILE (mode 0600) instead of standard output (- is standard output)
  --force        replace FILE if it exists

Settings (environment or ./.env):
  DATA_ROOT  data folder holding the database (default ./data)
  TZ         the time zone days are cut in, e.g. Europe/Berlin (unless --utc)

Exit status: 0 ok, 64 usage, 65 not a telegram-logger database or a damaged one, 66 no database,
73 output exists or cannot be written, 75 the database is locked by another process (try again),
78 TZ is not a time zone; 130/143 interrupted by SIGINT/SIGTERM (no output file is left).`;

/** The report to make and where it goes. */
export interface ReportOptions {
  kind: ReportKind;
  /** The period's first day. */
  first: CivilDate;
  utc: boolean;
  format: "text" | "json";
  top: number;
  /** A file path, or null for standard output. */
  out: string | null;
  force: boolean;
}

const OPTIONS = {
  date: { type: "string" },
  utc: { type: "boolean" },
  format: { type: "string" },
  top: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const TOP_MAX = 1000;

function parseFlags(args: readonly string[]) {
  try {
    return parseArgs({ args: [...args], strict: true, allowPositionals: true, options: OPTIONS });
  } catch (err) {
    throw new UsageError(flagErrorMessage(err));
  }
}

/** The options in `args` (after the word `report`); "help" for --help; throws UsageError. */
export function parseReportOptions(args: readonly string[], now: number): ReportOptions | "help" {
  const { values, positionals } = parseFlags(args);
  if (values.help) return "help";
  const [word, ...extra] = positionals;
  const kinds = "daily, weekly or monthly";
  if (word === undefined) throw new UsageError(`which report? ${kinds}`);
  // Never repeated: a stray word may be a key or a password pasted in the wrong place.
  if (!(REPORT_KINDS as readonly string[]).includes(word))
    throw new UsageError(`no such report (the word given is not shown): ${kinds}`);
  const kind = word as ReportKind;
  // Never echoed: a stray word may be something secret pasted in the wrong place.
  if (extra.length > 0) throw new UsageError("unexpected argument after the report's name (not shown)");
  const utc = values.utc ?? false;
  let first = defaultFirstDay(kind, now, utc);
  if (values.date !== undefined) {
    const day = parseDay(values.date.trim(), now, utc);
    if (day === null)
      throw new UsageError(`--date: ${quoted(values.date)} is not a day (YYYY-MM-DD, today or yesterday)`);
    if (formatCivil(day) > formatCivil(civilDateOf(now, utc)))
      throw new UsageError(`--date: ${formatCivil(day)} has not begun yet`);
    first = firstDayOf(kind, day);
  }
  const format = values.format ?? "text";
  if (format !== "text" && format !== "json")
    throw new UsageError(`--format: ${quoted(format)} is not text or json`);
  let top = 10;
  if (values.top !== undefined) {
    top = /^\d+$/.test(values.top.trim()) ? Number(values.top.trim()) : Number.NaN;
    if (!(top >= 1 && top <= TOP_MAX))
      throw new UsageError(`--top: ${quoted(values.top)} is not a number from 1 to ${TOP_MAX}`);
  }
  const out = values.out === undefined || values.out === "-" ? null : values.out;
  if (out !== null && out.trim() === "") throw new UsageError("--out needs a value: --out FILE");
  if (values.force && out === null) throw new UsageError("--force needs --out FILE");
  return { kind, first, utc, format, top, out, force: values.force ?? false };
}
