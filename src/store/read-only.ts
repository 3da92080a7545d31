/**
 * The database opened read-only by a command that runs beside the service (`export`, `verify`):
 * it never takes a write lock, waits a while for another process's lock, and tells a missing,
 * foreign, damaged or locked file apart so each command can say which and exit accordingly.
 */
import { existsSync } from "node:fs";
import Database from "better-sqlite3";

/** How long a command waits for another process's lock before giving up. */
export const COMMAND_BUSY_TIMEOUT_MS = 5_000;

/** Why the database could not be read, as a command reports it. */
export type ReadProblem = "missing" | "locked" | "not-ours" | "unreadable";

/** A read failure's kind and a message naming the file. */
export interface DescribedProblem {
  kind: ReadProblem;
  message: string;
}

/**
 * The exit status of each problem (sysexits.h): 66 no input, 75 try again, 65 bad data. The
 * commands document them alike.
 */
export const READ_PROBLEM_EXIT: Readonly<Record<ReadProblem, number>> = {
  missing: 66,
  locked: 75,
  "not-ours": 65,
  unreadable: 65,
};

/** Opens `file` read-only; throws if it is missing or has no `events` table (not ours). */
export function openReadOnly(file: string): Database.Database {
  if (!existsSync(file)) throw Object.assign(new Error("no such file"), { code: "SQLITE_CANTOPEN" });
  const sqlite = new Database(file, {
    readonly: true,
    fileMustExist: true,
    timeout: COMMAND_BUSY_TIMEOUT_MS,
  });
  try {
    const table = sqlite
      .prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'events'")
      .get();
    if (!table) throw Object.assign(new Error("it has no events table"), { code: "SQLITE_NOTADB" });
    return sqlite;
  } catch (err) {
    sqlite.close();
    throw err;
  }
}

/** What went wrong reading `file`, from an error of `openReadOnly` or of a query. */
export function describeReadProblem(err: unknown, file: string): DescribedProblem {
  const code = (err as { code?: string }).code ?? "";
  const message = (err as Error).message;
  if (code === "SQLITE_BUSY" || code.startsWith("SQLITE_LOCKED"))
    return { kind: "locked", message: `${file} is locked by another process; try again (${message})` };
  if (code === "SQLITE_NOTADB" || code.startsWith("SQLITE_CORRUPT"))
    return {
      kind: "not-ours",
      message: `${file} is not a telegram-logger database, or is damaged (${message})`,
    };
  if (code === "SQLITE_CANTOPEN")
    return { kind: "missing", message: `no database at ${file} (check DATA_ROOT): ${message}` };
  return { kind: "unreadable", message: `cannot read ${file}: ${message}` };
}
