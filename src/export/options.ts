/**
 * The command line of `telegram-logger export`, parsed without side effects: the format, where to
 * write, and which rows (src/export/event-rows.ts turns the filter into SQL). Strict: an unknown
 * flag, a value that is not one, or a filter flag given an empty list is a usage error naming the
 * flag, never an export of everything (`--chat "$CHAT"` with CHAT unset must not export every chat).
 */
import { parseArgs } from "node:util";
import { flagErrorMessage } from "../cli/args.ts";
import { UsageError } from "../cli/usage-error.ts";
import { EVENT_SOURCES, EVENT_STATUSES } from "../store/events.ts";
import {
  chatIdOf,
  type EventFilter,
  type ExportFormat,
  listItems,
  notAWhen,
  parseWhen,
  unknownValueProblem,
} from "./event-rows.ts";

/** Help text of the command. */
export const EXPORT_USAGE = `Usage: telegram-logger export [--format csv|jsonl] [--out FILE [--force]] [filters]

Writes the audit trail (the events table: deletions, edits, file changes, failures) to standard
output or to FILE, oldest first. Runs while the service runs; needs only DATA_ROOT.

  --format csv|jsonl  csv (default): a header line, times in ISO 8601 UTC, for spreadsheets (text
                      starting with = + - @, a tab or a carriage return gets a leading ' so it is
                      never run as a formula); jsonl: one JSON object per row, as the events
                      archive stores them
  --bom               start the CSV with a UTF-8 byte-order mark (Excel then reads non-Latin text)
  --out FILE          write to FILE (mode 0600) instead of standard output (- is standard output);
                      complete or not at all, even when interrupted
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

Exit status: 0 ok, 64 usage, 65 not a telegram-logger database or a damaged one, 66 no database,
73 output exists or cannot be written, 75 the database is locked by another process (try again);
130/143 interrupted by SIGINT/SIGTERM (no output file is left).`;

/** What to export and where. */
export interface ExportOptions {
  format: ExportFormat;
  /** A file path, or null for standard output. */
  out: string | null;
  force: boolean;
  /** Start a CSV with a UTF-8 byte-order mark. */
  bom: boolean;
  filter: EventFilter;
}

/** The values of a list flag (comma-separated or repeated); given but empty is a mistake. */
function listOf(flag: string, values: string[] | undefined): string[] {
  if (values === undefined) return [];
  const list = listItems(values);
  if (list.length === 0) throw new UsageError(`${flag} needs a value (it was given an empty one)`);
  return list;
}

function oneOf(flag: string, values: string[], allowed: readonly string[]): string[] {
  const problem = unknownValueProblem(values, allowed);
  if (problem !== null) throw new UsageError(`${flag}: ${problem}`);
  return values;
}

function whenOf(flag: string, text: string | undefined, now: number): number | null {
  if (text === undefined) return null;
  const at = parseWhen(text.trim(), now);
  if (at === null) throw new UsageError(`${flag}: ${notAWhen(text)}`);
  return at;
}

const LIST = { type: "string", multiple: true } as const;
const OPTIONS = {
  format: { type: "string" },
  out: { type: "string" },
  force: { type: "boolean" },
  bom: { type: "boolean" },
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
    throw new UsageError(flagErrorMessage(err));
  }
}

/** The options in `args` (after the word `export`), "help" for --help; throws UsageError. */
export function parseExportOptions(args: readonly string[], now: number): ExportOptions | "help" {
  const values = parseFlags(args);
  if (values.help) return "help";
  const format = values.format ?? "csv";
  if (format !== "csv" && format !== "jsonl")
    throw new UsageError(`--format: "${format}" is not csv or jsonl`);
  const out = values.out === undefined || values.out === "-" ? null : values.out;
  if (out !== null && out.trim() === "") throw new UsageError("--out needs a value: --out FILE");
  if (values.force && out === null) throw new UsageError("--force needs --out FILE");
  if (values.bom && format !== "csv") throw new UsageError("--bom is for --format csv");
  const chatIds = listOf("--chat", values.chat).map((v) => {
    const id = chatIdOf(v);
    if (id === null) throw new UsageError(`--chat: "${v}" is not a chat id`);
    return id;
  });
  const since = whenOf("--since", values.since, now);
  const until = whenOf("--until", values.until, now);
  if (since !== null && until !== null && since >= until)
    throw new UsageError("--since must be before --until");
  return {
    format,
    out,
    force: values.force ?? false,
    bom: values.bom ?? false,
    filter: {
      since,
      until,
      sources: oneOf("--source", listOf("--source", values.source), EVENT_SOURCES),
      types: listOf("--type", values.type),
      statuses: oneOf("--status", listOf("--status", values.status), EVENT_STATUSES),
      chatIds,
    },
  };
}
