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

/**
 * Failures of a lock taken by another process (a `scan`, a backup) that are still "contention"
 * rather than a fault: the service waits only briefly on a lock so /health stays responsive, and
 * then pauses 1 s, 2 s, 4 s between tries, so three failures cover about seven seconds of waiting.
 */
export const LOCK_FAILURES_BEFORE_ERROR = 3;

function isLockError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === "string" && /^SQLITE_(BUSY|LOCKED)/.test(code);
}

/**
 * How loud a failed storage step is, given how many times in a row it has failed (this one
 * included). A lock held by another process for a few seconds is a warning; a longer one, a full
 * disk or an I/O error is an error (which /health reports). Anything else is an error too.
 */
export function storageFailureLevel(err: unknown, failures: number): "warn" | "error" {
  return isLockError(err) && failures <= LOCK_FAILURES_BEFORE_ERROR ? "warn" : "error";
}
