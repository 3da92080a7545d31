/**
 * Time, as the parts that wait on it see it. The service uses the system clock; tests pass a clock
 * they can move forward, so a 30-second FloodWait is tested without waiting 30 seconds.
 */
import { setTimeout as delay } from "node:timers/promises";

/** Wall-clock time and waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or early (without error) when `signal` aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The real clock. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms, signal) => {
    if (signal?.aborted) return;
    await delay(Math.max(0, ms), undefined, { signal }).catch(() => {});
  },
};
