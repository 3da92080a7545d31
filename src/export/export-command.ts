/**
 * `telegram-logger export`: the audit trail (`events`) as CSV for a spreadsheet or as JSON lines
 * for tools, filtered by time, source, type, status and chat; the CSV export the audit-logging
 * story's admin offered. It reads the database through its own read-only connection, so it runs
 * while the service does, and streams rows, so memory stays flat whatever the table's size. One
 * SELECT is one snapshot: rows written meanwhile are not half in it.
 *
 * `--out FILE` is written under a hidden temporary name (0600: it is the audit trail) and renamed
 * when complete; without `--force` an existing file is never replaced, even one created meanwhile.
 */
import { randomBytes } from "node:crypto";
import { existsSync, linkSync, renameSync, rmSync } from "node:fs";
import { type FileHandle, open } from "node:fs/promises";
import path from "node:path";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { databaseFileOf } from "../config.ts";
import {
  csvHeader,
  csvLine,
  type EventFilter,
  type EventRecord,
  type ExportFormat,
  jsonLine,
  parseWhen,
  whereClause,
} from "./event-rows.ts";

/** Exit statuses (sysexits.h), documented in README.md. */
export const EXPORT_EXIT = {
  ok: 0,
  usage: 64,
  /** The file is not a telegram-logger database. */
  data: 65,
  noInput: 66,
  /** The output exists (no --force) or cannot be written. */
  cantCreate: 73,
} as const;

/** Help text of the command. */
export const EXPORT_USAGE = `Usage: telegram-logger export [--format csv|jsonl] [--out FILE [--force]] [filters]

Writes the audit trail (the events table: deletions, edits, file changes, failures) to standard
output or to FILE, oldest first. Runs while the service runs; needs only DATA_ROOT.

  --format csv|jsonl  csv (default): a header line, times in ISO 8601 UTC, for spreadsheets
                      (text starting with = + - @ gets a leading ' so it is never run as a formula);
                      jsonl: one JSON object per row, as the events archive stores them
  --out FILE          write to FILE (mode 0600) instead of standard output; complete or not at all
  --force             replace FILE if it exists
Filters (each narrows the selection; a list is comma-separated or the flag repeated):
  --since WHEN        events that occurred at or after WHEN: 2026-11-01 (midnight UTC),
                      2026-11-01T08:30 (UTC unless an offset follows: Z, +02:00), or ago: 30m 12h 7d 2w
  --until WHEN        events that occurred before WHEN
  --source LIST       telegram, fs, system
  --type LIST         exact types (message.deleted) or prefixes (file.*)
  --status LIST       success, error, warning, skipped, pending
  --chat LIST         Telegram chat ids (marked: -100… for channels and supergroups)

Settings (environment or ./.env):
  DATA_ROOT  data folder holding the database (default ./data)

Exit status: 0 ok, 64 usage, 65 not a telegram-logger database, 66 no database, 73 output exists
or cannot be written.`;

/** Where the command writes messages; the process's streams by default, replaceable in tests. */
export interface ExportIo {
  err(line: string): void;
}

const processIo: ExportIo = { err: (line) => process.stderr.write(`${line}\n`) };

const SOURCES = ["telegram", "fs", "system"];
const STATUSES = ["success", "error", "warning", "skipped", "pending"];
/** Bytes gathered before one write: few system calls, little memory. */
const WRITE_CHUNK = 64 * 1024;
/** How long opening waits for the service's lock. */
const BUSY_TIMEOUT_MS = 5_000;

class UsageError extends Error {}

function listOf(values: string[] | undefined): string[] {
  return (values ?? [])
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter((v) => v !== "");
}

function oneOf(flag: string, values: string[], allowed: readonly string[]): string[] {
  const bad = values.find((v) => !allowed.includes(v));
  if (bad !== undefined)
    throw new UsageError(`${flag}: unknown value "${bad}" (one of ${allowed.join(", ")})`);
  return values;
}

function whenOf(flag: string, text: string | undefined, now: number): number | null {
  if (text === undefined) return null;
  const at = parseWhen(text.trim(), now);
  if (at === null)
    throw new UsageError(
      `${flag}: "${text}" is not a date (2026-11-01, 2026-11-01T08:30Z) or a time ago (12h, 7d)`,
    );
  return at;
}

interface ExportOptions {
  format: ExportFormat;
  out: string | null;
  force: boolean;
  filter: EventFilter;
}

const LIST = { type: "string", multiple: true } as const;
const OPTIONS = {
  format: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  since: { type: "string" },
  until: { type: "string" },
  source: LIST,
  type: LIST,
  status: LIST,
  chat: LIST,
  help: { type: "boolean", short: "h" },
} as const;

/** `--chat -100…` as `--chat=-100…`: parseArgs would take a marked chat id for a flag. */
function joinNegativeIds(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (args[i] === "--chat" && next !== undefined && /^-\d[\d,-]*$/.test(next)) {
      out.push(`--chat=${next}`);
      i++;
    } else out.push(args[i]!);
  }
  return out;
}

function parseFlags(args: readonly string[]) {
  try {
    const all = joinNegativeIds(args);
    return parseArgs({ args: all, strict: true, allowPositionals: false, options: OPTIONS }).values;
  } catch (err) {
    throw new UsageError((err as Error).message.split("\n")[0]!);
  }
}

function parseOptions(args: readonly string[], now: number): ExportOptions | "help" {
  const values = parseFlags(args);
  if (values.help) return "help";
  const format = values.format ?? "csv";
  if (format !== "csv" && format !== "jsonl")
    throw new UsageError(`--format: "${format}" is not csv or jsonl`);
  const out = values.out === undefined || values.out === "-" ? null : values.out;
  if (out !== null && out.trim() === "") throw new UsageError("--out needs a value: --out FILE");
  if (values.force && out === null) throw new UsageError("--force needs --out FILE");
  const chatIds = listOf(values.chat).map((v) => {
    if (!/^-?\d+$/.test(v)) throw new UsageError(`--chat: "${v}" is not a chat id`);
    return Number(v);
  });
  const since = whenOf("--since", values.since, now);
  const until = whenOf("--until", values.until, now);
  if (since !== null && until !== null && since >= until)
    throw new UsageError("--since must be before --until");
  return {
    format,
    out,
    force: values.force ?? false,
    filter: {
      since,
      until,
      sources: oneOf("--source", listOf(values.source), SOURCES),
      types: listOf(values.type),
      statuses: oneOf("--status", listOf(values.status), STATUSES),
      chatIds,
    },
  };
}

/** A destination: standard output, or a file completed by `finish`. */
interface Sink {
  /** Writes `chunk`, which the caller reuses once the promise settles. */
  write(chunk: Buffer): Promise<void>;
  finish(): Promise<void>;
  abandon(): Promise<void>;
}

class StdoutClosed extends Error {}

function stdoutSink(): Sink {
  let closed: Error | null = null;
  const onError = (err: NodeJS.ErrnoException) => {
    closed = err.code === "EPIPE" ? new StdoutClosed() : err;
  };
  process.stdout.on("error", onError);
  return {
    async write(chunk) {
      if (closed) throw closed;
      // A copy: on some platforms a pipe is written after write() returns.
      if (!process.stdout.write(Buffer.from(chunk))) {
        await new Promise<void>((resolve) => {
          const done = () => {
            process.stdout.off("drain", done);
            process.stdout.off("error", done);
            resolve();
          };
          process.stdout.once("drain", done);
          process.stdout.once("error", done);
        });
      }
      if (closed) throw closed;
    },
    async finish() {
      process.stdout.off("error", onError);
    },
    async abandon() {
      process.stdout.off("error", onError);
    },
  };
}

async function fileSink(out: string, force: boolean): Promise<Sink> {
  const tmp = path.join(
    path.dirname(out),
    `.${path.basename(out)}.${randomBytes(6).toString("hex")}.partial`,
  );
  const fh: FileHandle = await open(tmp, "wx", 0o600);
  let open_ = true;
  const close = async () => {
    if (open_) {
      open_ = false;
      await fh.close();
    }
  };
  return {
    async write(chunk) {
      await fh.write(chunk);
    },
    async finish() {
      await fh.sync();
      await close();
      if (force) renameSync(tmp, out);
      else {
        // link fails if `out` appeared meanwhile: an existing file is never replaced without --force.
        linkSync(tmp, out);
        rmSync(tmp);
      }
    },
    async abandon() {
      await close().catch(() => {});
      rmSync(tmp, { force: true });
    },
  };
}

function openDatabase(file: string): Database.Database {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true, timeout: BUSY_TIMEOUT_MS });
  const table = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'").get();
  if (!table) {
    sqlite.close();
    throw Object.assign(new Error("no events table"), { code: "SQLITE_NOTADB" });
  }
  return sqlite;
}

/** Streams the selected rows into `sink`; returns how many. */
async function copyRows(sqlite: Database.Database, options: ExportOptions, sink: Sink): Promise<number> {
  const where = whereClause(options.filter);
  const rows = sqlite
    .prepare<(string | number)[], EventRecord>(`SELECT * FROM events ${where.sql} ORDER BY occurred_at, id`)
    .iterate(...where.params);
  const line = options.format === "csv" ? csvLine : jsonLine;
  // Lines are encoded into one reused buffer as they come, so each line's string dies young;
  // gathering them into one string kept every line of a chunk alive into the old generation,
  // and RSS grew with the table (measured by bench/export.bench.ts).
  const chunk = Buffer.allocUnsafeSlow(WRITE_CHUNK);
  let used = options.format === "csv" ? chunk.write(csvHeader()) : 0;
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
  io: ExportIo = processIo,
): Promise<number> {
  const fail = (message: string, status: number) => {
    io.err(`telegram-logger export: ${message}`);
    return status;
  };
  let options: ExportOptions;
  try {
    const parsed = parseOptions(args, Date.now());
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
    sqlite = openDatabase(dbFile);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT")
      return fail(`${dbFile} is not a telegram-logger database`, EXPORT_EXIT.data);
    return fail(`no database at ${dbFile} (check DATA_ROOT): ${(err as Error).message}`, EXPORT_EXIT.noInput);
  }
  try {
    const out = options.out === null ? null : path.resolve(options.out);
    if (out !== null && !options.force && existsSync(out))
      return fail(`${out} exists (pass --force to replace it)`, EXPORT_EXIT.cantCreate);
    let sink: Sink;
    try {
      sink = out === null ? stdoutSink() : await fileSink(out, options.force);
    } catch (err) {
      return fail(`cannot write ${out}: ${(err as Error).message}`, EXPORT_EXIT.cantCreate);
    }
    let count: number;
    try {
      count = await copyRows(sqlite, options, sink);
      await sink.finish();
    } catch (err) {
      await sink.abandon();
      // A reader that stopped early (`| head`) wanted no more: not a failure.
      if (err instanceof StdoutClosed) return EXPORT_EXIT.ok;
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EEXIST")
        return fail(`${out} appeared meanwhile (pass --force to replace it)`, EXPORT_EXIT.cantCreate);
      if (code?.startsWith("SQLITE_")) throw err;
      return fail(
        `cannot write ${out ?? "standard output"}: ${(err as Error).message}`,
        EXPORT_EXIT.cantCreate,
      );
    }
    io.err(`${count} event${count === 1 ? "" : "s"} exported${out === null ? "" : ` to ${out}`}`);
    return EXPORT_EXIT.ok;
  } finally {
    sqlite.close();
  }
}
