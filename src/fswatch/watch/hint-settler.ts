/**
 * The settle window for watcher hints: a touched path is examined only once it has been quiet for
 * `settleMs`, so a file being written is looked at once, when it is done. Hints beyond `BURST_HINTS`
 * pending at once mean the kernel queue can no longer be trusted path by path: the settler then
 * waits until the whole burst is over and hands every pending path to one reconcile pass instead.
 */

/** Hints pending at once beyond which a root stops examining paths one by one and rescans instead. */
const BURST_HINTS = 2000;

/** Where the settler hands paths on; each map is path → when it was first seen. */
export interface HintSettlerDeps {
  now: () => number;
  settleMs: number;
  /** Paths quiet for the settle window, to examine one by one. */
  settled(batch: Map<string, number>): void;
  /** Every path pending when a burst went quiet, for one reconcile pass. */
  burstOver(seenAt: Map<string, number>): void;
}

interface Hint {
  first: number;
  last: number;
}

/**
 * Removes from `waiting` the entries due by `now`, returning them (path → first seen) and when the
 * earliest remaining one falls due (infinity when none remains). Pure apart from `waiting`.
 */
export function takeDue<T>(
  waiting: Map<string, T>,
  now: number,
  dueAt: (entry: T) => number,
  seenAt: (entry: T) => number,
): { due: Map<string, number>; next: number } {
  const due = new Map<string, number>();
  let next = Number.POSITIVE_INFINITY;
  for (const [rel, entry] of waiting) {
    if (dueAt(entry) <= now) {
      due.set(rel, seenAt(entry));
      waiting.delete(rel);
    } else {
      next = Math.min(next, dueAt(entry));
    }
  }
  return { due, next };
}

/** Holds hinted paths until they settle, for one root. */
export class HintSettler {
  readonly #d: HintSettlerDeps;
  readonly #pending = new Map<string, Hint>();
  #burst = false;
  #lastHintAt = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: HintSettlerDeps) {
    this.#d = deps;
  }

  /** How many paths wait to settle. */
  get size(): number {
    return this.#pending.size;
  }

  /** The watcher touched `rel`: its settle window starts again. */
  hint(rel: string): void {
    const now = this.#d.now();
    this.#lastHintAt = now;
    const h = this.#pending.get(rel);
    if (h) h.last = now;
    else this.#pending.set(rel, { first: now, last: now });
    if (this.#pending.size > BURST_HINTS) this.#burst = true;
    this.#arm();
  }

  /** Examine `rel` again after a settle window (it changed while being read), keeping when it was first seen. */
  rehint(rel: string, first: number): void {
    const now = this.#d.now();
    this.#pending.set(rel, { first, last: now });
    this.#arm();
  }

  /** Forgets every pending path and stops the timer (the root stopped or went offline). */
  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #arm(): void {
    this.#timer ??= setTimeout(() => this.#onSettle(), this.#d.settleMs);
  }

  #onSettle(): void {
    this.#timer = undefined;
    const { now: clock, settleMs } = this.#d;
    const now = clock();
    if (this.#burst) {
      if (now - this.#lastHintAt >= settleMs) {
        const seenAt = new Map([...this.#pending].map(([rel, h]) => [rel, h.first]));
        this.#pending.clear();
        this.#burst = false;
        this.#d.burstOver(seenAt);
      } else {
        this.#timer = setTimeout(() => this.#onSettle(), settleMs);
      }
      return;
    }
    const { due, next } = takeDue(
      this.#pending,
      now,
      (h) => h.last + settleMs,
      (h) => h.first,
    );
    if (due.size > 0) this.#d.settled(due);
    if (this.#pending.size > 0) this.#timer = setTimeout(() => this.#onSettle(), Math.max(1, next - now));
  }
}
