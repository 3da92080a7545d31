/**
 * One storage step that must not be lost to a moment's failure: the media buffer recording a
 * downloaded file, the link saver recording a saved message, housekeeping deleting archived
 * events. A lock held by another process, a full disk or an I/O error is waited out with a growing
 * pause and the step is tried again; any other error is the caller's. When the service stops the
 * wait ends and the step gets one last try before its failure is thrown.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { RetryPolicy } from "../retry-policy.ts";
import { isTransientStorageError, storageFailureRule } from "./transient-errors.ts";

/** The first pause after a failed step; it doubles up to `MAX_STORAGE_PAUSE_MS`. */
export const FIRST_STORAGE_PAUSE_MS = 1_000;
/** The longest pause between two tries. */
export const MAX_STORAGE_PAUSE_MS = 30_000;

/**
 * The retry policy of a step that stores something: pauses of 1 s doubling up to `maxPauseMs`,
 * shorter and quieter while the failure is another process's lock (`storageFailureRule`).
 */
export function storageRetryPolicy(maxPauseMs = MAX_STORAGE_PAUSE_MS): RetryPolicy {
  return new RetryPolicy({ firstPauseMs: FIRST_STORAGE_PAUSE_MS, maxPauseMs, ruleFor: storageFailureRule });
}

/** What a retried step needs around it. */
export interface StorageRetry {
  clock: Pick<Clock, "sleep">;
  /** Aborted when the service stops: no more waiting. */
  signal: AbortSignal;
  log: Logger;
}

/**
 * Runs `step` until it succeeds. `what` names the step in the log ("recording a downloaded
 * file"); the log entry is a warning while another process briefly holds the lock and an error
 * after that (see `storageFailureRule`).
 */
export async function untilStored<T>(what: string, step: () => T | Promise<T>, r: StorageRetry): Promise<T> {
  const policy = storageRetryPolicy();
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!isTransientStorageError(err) || r.signal.aborted) throw err;
      await r.clock.sleep(policy.logFailure(r.log, err, `${what}: storage failed; retrying`), r.signal);
    }
  }
}
