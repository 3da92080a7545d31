/**
 * `telegram-logger export`: the audit trail (`events`) as CSV for a spreadsheet or as JSON lines
 * for tools, filtered by time, source, type, status and chat. It reads the database through its own read-only connection, so it runs
 * while the service does, and streams rows, so memory stays flat whatever the table's size
 * (bench/export.bench.ts). One SELECT is one snapshot: rows written meanwhile are not half in it.
 * Options: src/export/options.ts; formats: event-rows.ts; outputs: src/cli/output-sinks.ts.
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
import { databaseFileOf } from "../store/data-paths.ts";
import { describeReadProblem, openReadOnly, READ_PROBLEM_EXIT } from "../store/read-only.ts";
import { csvHeader, csvLine, type EventRecord, jsonLine, whereClause } from "./event-rows.ts";
import { EXPORT_USAGE, type ExportOptions, parseExportOptions } from "./options.ts";

/** Exit statuses (sysexits.h), documented in README.md and the usage. */
export const EXPORT_EXIT = OUTPUT_COMMAND_EXIT;

/** Bytes gathered before one write: few system calls, little memory. */
const WRITE_CHUNK = 64 * 1024;
/** UTF-8 byte-order mark: how Excel learns that a CSV file is UTF-8. */
const BOM = "\uFEFF";

function databaseProblem(err: unknown, file: string): [string, number] {
  const { kind, message } = describeReadProblem(err, file);
  return [message, READ_PROBLEM_EXIT[kind]];
}

/** Streams the selected rows into `sink`; returns how many. */
async function copyRows(sqlite: Database.Database, options: ExportOptions, sink: Sink): Promise<number> {
  const where = whereClause(options.filter);
  const rows = sqlite
    .prepare<(string | number)[], EventRecord>(`SELECT * FROM events ${where.sql} ORDER BY occurred_at, id`)
    .iterate(...where.params);
  const line = options.format === "csv" ? csvLine : jsonLine;
  // Lines are encoded into one reused buffer as they come, so each line's string dies young
  // (a chunk gathered as one string kept its lines alive into V8's old generation).
  const chunk = Buffer.allocUnsafeSlow(WRITE_CHUNK);
  let used = options.format === "csv" ? chunk.write(`${options.bom ? BOM : ""}${csvHeader()}`) : 0;
  let count = 0;
  try {
    for (const row of rows) {
      const text = line(row);
      const bytes = Buffer.byteLength(text);
      if (used + bytes > chunk.length && used > 0) {
        await sink.write(chunk.subarray(0, used));
        used = 0;
      }
      if (bytes > chunk.length) await sink.write(Buffer.from(text));
      else used += chunk.write(text, used);
      count++;
    }
    if (used > 0) await sink.write(chunk.subarray(0, used));
  } finally {
    rows.return?.();
  }
  return count;
}

/** Runs the command with `args` (after the word `export`) and `env`; returns the exit status. */
export async function runExportCommand(
  args: readonly string[],
  env: Record<string, string | undefined>,
  io: CommandIo = PROCESS_IO,
): Promise<number> {
  const fail = commandFailure("export", io);
  let options: ExportOptions;
  try {
    const parsed = parseExportOptions(args, Date.now());
    if (parsed === "help") {
      process.stdout.write(`${EXPORT_USAGE}\n`);
      return EXPORT_EXIT.ok;
    }
    options = parsed;
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message}\n\n${EXPORT_USAGE}`, EXPORT_EXIT.usage);
    throw err;
  }

  const dbFile = databaseFileOf(env.DATA_ROOT?.trim() || "./data");
  let sqlite: Database.Database;
  try {
    sqlite = openReadOnly(dbFile);
  } catch (err) {
    return fail(...databaseProblem(err, dbFile));
  }
  try {
    const out = options.out === null ? null : path.resolve(options.out);
    let sink: Sink;
    try {
      sink = await openOutput(out, options.force);
    } catch (err) {
      if (err instanceof OutputRefused) return fail(err.message, EXPORT_EXIT.cantCreate);
      throw err;
    }
    let count: number;
    try {
      count = await copyRows(sqlite, options, sink);
      await sink.finish();
    } catch (err) {
      await sink.abandon();
      // A reader that stopped early (`| head`) wanted no more: not a failure.
      if (err instanceof ReaderGone) return EXPORT_EXIT.ok;
      if (((err as { code?: string }).code ?? "").startsWith("SQLITE_"))
        return fail(...databaseProblem(err, dbFile));
      return fail(writeFailure(err, out), EXPORT_EXIT.cantCreate);
    }
    io.err(`${count} event${count === 1 ? "" : "s"} exported${out === null ? "" : ` to ${out}`}`);
    return EXPORT_EXIT.ok;
  } finally {
    sqlite.close();
  }
}
