/**
 * Which storage failures are the moment's, not the data's. A locked database (another process
 * writing), a full disk or an I/O error says nothing about the update being stored: retrying the
 * same work later succeeds. Skipping it would lose a message for good, so callers keep such work
 * and retry, and only skip what fails for reasons of its own (a constraint, a malformed update).
 */

/** SQLite result codes (primary codes; extended ones start with them) that a retry can cure. */
const TRANSIENT_PREFIXES = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
];

/** Whether `err` is a storage failure that retrying later may cure. */
export function isTransientStorageError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && TRANSIENT_PREFIXES.some((p) => code === p || code.startsWith(`${p}_`));
}
