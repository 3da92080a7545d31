/**
 * One storage step that must not be lost to a moment's failure: the media buffer recording a
 * downloaded file, the link saver recording a saved message, housekeeping deleting archived
 * events. A lock held by another process, a full disk or an I/O error is waited out with a growing
 * pause and the step is tried again; any other error is the caller's. When the service stops the
 * wait ends and the step gets one last try before its failure is thrown.
 */
import type { Logger } from "pino";
import type { Clock } from "../clock.ts";
import { GrowingPause } from "../growing-pause.ts";
import { isTransientStorageError, nextStoragePause, storageFailureLevel } from "./transient-errors.ts";

/** The first pause after a failed step; it doubles up to `MAX_STORAGE_PAUSE_MS`. */
export const FIRST_STORAGE_PAUSE_MS = 1_000;
/** The longest pause between two tries. */
export const MAX_STORAGE_PAUSE_MS = 30_000;

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
 * after that (see `storageFailureLevel`).
 */
export async function untilStored<T>(what: string, step: () => T | Promise<T>, r: StorageRetry): Promise<T> {
  const pause = new GrowingPause(FIRST_STORAGE_PAUSE_MS, MAX_STORAGE_PAUSE_MS);
  for (;;) {
    try {
      return await step();
    } catch (err) {
      if (!isTransientStorageError(err) || r.signal.aborted) throw err;
      const retryInMs = nextStoragePause(err, pause);
      r.log[storageFailureLevel(err, pause.failingForMs())](
        { err, retryInMs },
        `${what}: storage failed; retrying`,
      );
      await r.clock.sleep(retryInMs, r.signal);
    }
  }
}
