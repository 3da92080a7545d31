/**
 * `telegram-logger report daily|weekly|monthly`: a daily summary, a weekly error analysis or a
 * monthly activity report of the whole audit trail. It reads the database through its own read-only
 * connection in one snapshot, so it runs while the service does (from cron, say), and writes text
 * or JSON to standard output or a file that is complete or absent. Options: options.ts; what it
 * reads: gather.ts; how it looks: render.ts.
 */
import path from "node:path";
import type Database from "better-sqlite3";
import { type CommandIo, commandFailure, PROCESS_IO } from "../cli/command-io.ts";
import {
  OUTPUT_COMMAND_EXIT,
  OutputRefused,
  openOutput,
  ReaderGone,
  type Sink,
  writeFailure,
} from "../cli/output-sinks.ts";
import { UsageError } from "../cli/usage-error.ts";
import { timeZoneProblem } from "../model/time-zone.ts";
import { databaseFileOf } from "../store/data-paths.ts";
import { describeReadProblem, openReadOnly, READ_PROBLEM_EXIT } from "../store/read-only.ts";
import { gatherReport } from "./gather.ts";
import { parseReportOptions, REPORT_USAGE, type ReportOptions } from "./options.ts";
import { previousPeriod, reportPeriod } from "./period.ts";
import { renderJson, renderText } from "./render.ts";

/** Exit statuses: `export`'s, documented in the usage and README.md. */
export const REPORT_EXIT = OUTPUT_COMMAND_EXIT;

/**
 * SQLite's page cache for the report's connection, in KiB. better-sqlite3's default (16 MB) filled
 * up on a weekly report of ~230k events and was most of its memory growth (36 MB against 9 MB at
 * 4 MB, bench/report.bench.ts); the queries read each page about once, so it bought no speed.
 */
const REPORT_CACHE_KIB = 4096;

/** Exit status of a configuration error (EX_CONFIG), as the service's. */
const EXIT_CONFIG = 78;

/** The report of `options` as text or JSON, read from `sqlite` at time `now`. */
export function makeReport(sqlite: Database.Database, options: ReportOptions, now: number): string {
  const period = reportPeriod(options.kind, options.first, options.utc);
  const data = gatherReport(sqlite, period, previousPeriod(period, options.utc), now, { top: options.top });
  return options.format === "json" ? renderJson(data) : renderText(data);
}

/** Runs the command with `args` (after the word `report`) and `env`; returns the exit status. */
export async function runReportCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo = PROCESS_IO,
  now: number = Date.now(),
): Promise<number> {
  const fail = commandFailure("report", io);
  let options: ReportOptions;
  try {
    const parsed = parseReportOptions(args, now);
    if (parsed === "help") {
      io.out(REPORT_USAGE);
      return REPORT_EXIT.ok;
    }
    options = parsed;
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n\n${REPORT_USAGE}`, REPORT_EXIT.usage);
    throw err;
  }

  const zone = options.utc ? null : timeZoneProblem(env.TZ);
  if (zone !== null) return fail(`configuration error: ${zone}`, EXIT_CONFIG);
  const dbFile = databaseFileOf(env.DATA_ROOT?.trim() || "./data");
  const readProblem = (err: unknown) => {
    const { kind, message } = describeReadProblem(err, dbFile);
    return fail(message, READ_PROBLEM_EXIT[kind]);
  };
  let text: string;
  try {
    const sqlite = openReadOnly(dbFile);
    sqlite.pragma(`cache_size = -${REPORT_CACHE_KIB}`);
    try {
      text = makeReport(sqlite, options, now);
    } finally {
      sqlite.close();
    }
  } catch (err) {
    if (((err as { code?: string }).code ?? "").startsWith("SQLITE_")) return readProblem(err);
    throw err;
  }

  const out = options.out === null ? null : path.resolve(options.out);
  let sink: Sink;
  try {
    sink = await openOutput(out, options.force);
  } catch (err) {
    if (err instanceof OutputRefused) return fail(err.message, REPORT_EXIT.cantCreate);
    throw err;
  }
  try {
    await sink.write(Buffer.from(text));
    await sink.finish();
  } catch (err) {
    await sink.abandon();
    if (err instanceof ReaderGone) return REPORT_EXIT.ok;
    return fail(writeFailure(err, out), REPORT_EXIT.cantCreate);
  }
  // Quiet on success, so cron mails only a report on standard output or a failure.
  return REPORT_EXIT.ok;
}
