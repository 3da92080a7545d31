/**
 * A clock tests can move forward: time runs as usual, and `advance(ms)` jumps ahead, waking every
 * sleeper whose moment has come. Lets a test see a 30-second FloodWait end without waiting.
 */
import type { Clock } from "../../src/clock.ts";

interface Sleeper {
  until: number;
  resolve: () => void;
  timer: NodeJS.Timeout;
}

/** A real-time clock with a manual offset. */
export class AdjustableClock implements Clock {
  #offset = 0;
  #sleepers = new Set<Sleeper>();

  now(): number {
    return Date.now() + this.#offset;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const sleeper: Sleeper = {
        until: this.now() + ms,
        resolve: () => {
          clearTimeout(sleeper.timer);
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener("abort", sleeper.resolve);
          resolve();
        },
        timer: setTimeout(() => sleeper.resolve(), ms),
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener("abort", sleeper.resolve, { once: true });
    });
  }

  /** How many waits are still pending: after a part stops, none of its own should be. */
  get sleepers(): number {
    return this.#sleepers.size;
  }

  /** Moves time forward by `ms` and wakes the sleepers that are due. */
  advance(ms: number): void {
    this.#offset += ms;
    const now = this.now();
    for (const s of [...this.#sleepers]) if (s.until <= now) s.resolve();
  }
}
