/**
 * The one place where the service meets Telegram's FloodWait ("FLOOD_WAIT_N": wait N seconds before
 * asking again), for every request it makes while it runs. The client is built with
 * `floodSleepThreshold: 0`, so GramJS never sleeps through a FloodWait itself (it would do so on
 * timers nobody can see or stop) and throws its `FloodWaitError` at once; every call into GramJS
 * goes through one of the two ways below, which decide what the wait means:
 *
 * - `passingOn`, for the log chat: the wait is thrown on as the feed's `FloodWait`, and the sender
 *   pauses, reports it and reschedules the post without counting a failed attempt;
 * - `waitingOut`, for everything that works in the background (catch-up, the media downloads, the
 *   saver, looking the log chat and ourselves up): the call waits the N seconds on the app's clock
 *   and runs again, so a FloodWait delays the work instead of failing it, up to `maxWaitMs` in all;
 *   a longer wait is thrown as `FloodWait` and the caller treats it as a failure. Stopping ends
 *   every wait at once.
 *
 * Only `login` and the start-up authorization check run before this exists; they report a
 * FloodWait to the person at the terminal as it is.
 */
import { errors } from "telegram";
import type { Clock } from "../clock.ts";
import type { Logger } from "../log.ts";
import { FloodWait } from "../model/delivery.ts";

/** The longest a background call waits out FloodWaits, all its waits together. */
export const MAX_FLOOD_WAIT_MS = 15 * 60_000;

/** What the gate needs. */
export interface TelegramRequestsOptions {
  clock: Clock;
  log: Logger;
  /** Defaults to `MAX_FLOOD_WAIT_MS`. */
  maxWaitMs?: number;
}

/** The seconds a GramJS error asks to wait, or null when it is no FloodWait. */
export function floodWaitSeconds(err: unknown): number | null {
  return err instanceof errors.FloodWaitError ? err.seconds : null;
}

/** Every call into Telegram, with its FloodWaits handled. */
export class TelegramRequests {
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #maxWaitMs: number;
  readonly #stopping = new AbortController();

  constructor(o: TelegramRequestsOptions) {
    this.#clock = o.clock;
    this.#log = o.log;
    this.#maxWaitMs = o.maxWaitMs ?? MAX_FLOOD_WAIT_MS;
  }

  /** Runs `call`; a FloodWait is thrown on at once as `FloodWait`. */
  async passingOn<T>(call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (err) {
      const seconds = floodWaitSeconds(err);
      throw seconds === null ? err : new FloodWait(seconds);
    }
  }

  /**
   * Runs `call` (`what` says what for, in the log); on a FloodWait waits it out and runs `call`
   * again, until it succeeds, fails otherwise, or would wait longer than allowed in all.
   */
  async waitingOut<T>(what: string, call: () => Promise<T>): Promise<T> {
    let waitedMs = 0;
    for (;;) {
      try {
        return await call();
      } catch (err) {
        const seconds = floodWaitSeconds(err);
        if (seconds === null) throw err;
        const ms = seconds * 1000;
        if (this.#stopping.signal.aborted || waitedMs + ms > this.#maxWaitMs) throw new FloodWait(seconds);
        this.#log.warn({ seconds, what }, "Telegram asks to wait before the next request; waiting");
        await this.#clock.sleep(ms, this.#stopping.signal);
        if (this.#stopping.signal.aborted) throw new FloodWait(seconds);
        waitedMs += ms;
      }
    }
  }

  /** Ends every wait at once (their calls throw `FloodWait`); later FloodWaits are not waited out. */
  stop(): void {
    this.#stopping.abort();
  }
}
