/**
 * How the parts that retry a failing step (a locked database, a full disk) wait between tries: a
 * pause that doubles after each failure up to a ceiling, and starts over after a success, so a
 * short hiccup costs a second and a long outage does not spin.
 */
export class GrowingPause {
  readonly #firstMs: number;
  readonly #maxMs: number;
  #ms: number;
  #failures = 0;
  #failingSince: number | null = null;

  constructor(firstMs: number, maxMs: number) {
    this.#firstMs = firstMs;
    this.#maxMs = maxMs;
    this.#ms = firstMs;
  }

  /** Failures since the last success, counting the one being paused for once `next()` is called. */
  get failures(): number {
    return this.#failures;
  }

  /** How long the step has been failing: since the first failure after the last success. */
  failingForMs(now = Date.now()): number {
    return this.#failingSince === null ? 0 : now - this.#failingSince;
  }

  /** A failure: the pause to wait now; the one after it is twice as long (up to the ceiling). */
  next(now = Date.now()): number {
    const ms = this.#ms;
    this.#ms = Math.min(ms * 2, this.#maxMs);
    this.#failures++;
    this.#failingSince ??= now;
    return ms;
  }

  /** The step succeeded: the next failure waits the first pause again. */
  reset(): void {
    this.#ms = this.#firstMs;
    this.#failures = 0;
    this.#failingSince = null;
  }
}
