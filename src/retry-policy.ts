/**
 * How every part that retries a failing step (a locked database, a full disk, a failed file-audit
 * pass, a failed feed step) waits between tries and how loudly it says so: a pause that doubles
 * after each failure up to a ceiling and starts over after a success, so a short hiccup costs a
 * second and a long outage does not spin. Some failures are expected to end quickly (another
 * process holding a lock): a rule per error gives them a lower ceiling and lets them stay
 * warnings for their first moments.
 */

/** How loud a failure is in the log. */
export type FailureLevel = "warn" | "error";

/** What a kind of failure changes in the policy; an empty rule keeps its defaults. */
export interface FailureRule {
  /** The longest pause for this failure (the policy's own ceiling still applies). */
  maxPauseMs?: number;
  /** Failing for less than this long (since the last success) is a warning; after it, an error. */
  warnForMs?: number;
}

/** The shape of a retry policy. */
export interface RetryPolicyOptions {
  /** The pause after the first failure; it doubles after each further one. */
  firstPauseMs: number;
  /** The longest pause. */
  maxPauseMs: number;
  /** The rule for a failure; without it every failure is an error and waits the growing pause. */
  ruleFor?: (err: unknown) => FailureRule;
}

/** What to do about one failure. */
export interface RetryDecision {
  /** How long to wait before the next try. */
  retryInMs: number;
  /** How loud the failure is. */
  level: FailureLevel;
}

/** The logger methods a failure is reported with (a pino logger has them). */
export type FailureLog = Record<FailureLevel, (fields: object, message: string) => void>;

/**
 * One step's retry state: count failures with `failed` (or `logFailure`), and call `succeeded`
 * after a try that worked.
 */
export class RetryPolicy {
  readonly #o: RetryPolicyOptions;
  #pauseMs: number;
  #failures = 0;
  #failingSince: number | null = null;

  constructor(options: RetryPolicyOptions) {
    this.#o = options;
    this.#pauseMs = options.firstPauseMs;
  }

  /** Failures since the last success. */
  get failures(): number {
    return this.#failures;
  }

  /** Whether the step failed and has not succeeded since. */
  get failing(): boolean {
    return this.#failures > 0;
  }

  /** How long the step has been failing: since the first failure after the last success. */
  failingForMs(now = Date.now()): number {
    return this.#failingSince === null ? 0 : now - this.#failingSince;
  }

  /**
   * Counts a failure and says how long to wait before the next try and how loud it is. The
   * growing pause doubles whatever the rule caps it to, so a lock that turns into a full disk waits
   * as long as the failures have lasted.
   */
  failed(err: unknown, now = Date.now()): RetryDecision {
    const rule = this.#o.ruleFor?.(err) ?? {};
    const ms = this.#pauseMs;
    this.#pauseMs = Math.min(ms * 2, this.#o.maxPauseMs);
    this.#failures++;
    this.#failingSince ??= now;
    const quiet = rule.warnForMs !== undefined && this.failingForMs(now) < rule.warnForMs;
    return { retryInMs: Math.min(ms, rule.maxPauseMs ?? ms), level: quiet ? "warn" : "error" };
  }

  /**
   * `failed`, logged at its level as `{err, ...fields, retryInMs}` with `message`; returns the
   * pause. `atMostMs` shortens the pause (a caller that checks again on its own schedule anyway).
   */
  logFailure(
    log: FailureLog,
    err: unknown,
    message: string,
    fields: object = {},
    atMostMs = Infinity,
  ): number {
    const { retryInMs, level } = this.failed(err);
    const ms = Math.min(retryInMs, atMostMs);
    log[level]({ err, ...fields, retryInMs: ms }, message);
    return ms;
  }

  /** The step succeeded: the next failure waits the first pause again. */
  succeeded(): void {
    this.#pauseMs = this.#o.firstPauseMs;
    this.#failures = 0;
    this.#failingSince = null;
  }
}
