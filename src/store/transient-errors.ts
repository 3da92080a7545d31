/**
 * Which storage failures are the moment's, not the data's. A locked database (another process
 * writing), a full disk or an I/O error says nothing about the update being stored: retrying the
 * same work later succeeds. Skipping it would lose a message for good, so callers keep such work
 * and retry, and only skip what fails for reasons of its own (a constraint, a malformed update).
 */
import type { FailureRule } from "../retry-policy.ts";

/**
 * The SQLite primary result codes a retry can cure (extended codes start with them:
 * `SQLITE_IOERR_WRITE` is an `SQLITE_IOERR`). Also the label values of the service's
 * `storage_failures_total`, which exports each of them from start.
 */
export const TRANSIENT_STORAGE_CODES = [
  "SQLITE_BUSY",
  "SQLITE_LOCKED",
  "SQLITE_FULL",
  "SQLITE_IOERR",
  "SQLITE_NOMEM",
  "SQLITE_READONLY",
  "SQLITE_CANTOPEN",
  "SQLITE_PROTOCOL",
] as const;

/** One of `TRANSIENT_STORAGE_CODES`. */
export type TransientStorageCode = (typeof TRANSIENT_STORAGE_CODES)[number];

/**
 * The primary code of a storage failure that retrying later may cure (`SQLITE_IOERR` for an
 * `SQLITE_IOERR_WRITE`), or null for any other error: a small, fixed set of values a metric can
 * be labelled with.
 */
export function storageFailureCode(err: unknown): TransientStorageCode | null {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return null;
  return TRANSIENT_STORAGE_CODES.find((p) => code === p || code.startsWith(`${p}_`)) ?? null;
}

/** Whether `err` is a storage failure that retrying later may cure. */
export function isTransientStorageError(err: unknown): boolean {
  return storageFailureCode(err) !== null;
}

/**
 * How long a lock held by another process (a `scan`, a backup) stays "contention" rather than a
 * fault: the 5 s a statement used to wait inside SQLite, before the running service stopped
 * waiting there so /health stays responsive.
 */
export const LOCK_GRACE_MS = 5_000;
/**
 * The longest pause between tries while the failure is a lock. A lock ends when the other process
 * commits, and a try costs at most the running busy timeout, so waiting longer only delays
 * recovery. A full disk or an I/O error is waited out with the caller's own (longer) ceiling.
 */
export const LOCK_RETRY_CEILING_MS = 4_000;

function isLockError(err: unknown): boolean {
  const code = storageFailureCode(err);
  return code === "SQLITE_BUSY" || code === "SQLITE_LOCKED";
}

/**
 * How a failed storage step is retried. A lock held by another process for a few seconds is a
 * warning, and retried at least every `LOCK_RETRY_CEILING_MS`; a longer one, a full disk or an I/O
 * error is an error (which /health reports) waited out with the caller's growing pause. Anything
 * else is an error too.
 */
export function storageFailureRule(err: unknown): FailureRule {
  return isLockError(err) ? { maxPauseMs: LOCK_RETRY_CEILING_MS, warnForMs: LOCK_GRACE_MS } : {};
}
