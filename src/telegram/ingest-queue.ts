/**
 * The one serial queue every update goes through. GramJS dispatches updates concurrently and out
 * of order; here they wait in arrival order and are handled one batch at a time, each batch in one
 * database transaction, which is also what makes ingest fast.
 */
import type { Logger } from "pino";
import { storageRetryPolicy } from "../store/storage-retry.ts";

/** Handles a batch of items; may be async (the queue waits for it before the next batch). */
export type BatchHandler<T> = (batch: T[]) => void | Promise<void>;

/** How a batch is sized, and which failures of a whole batch are worth retrying. */
export interface BatchLimits<T> {
  /** Most work per batch: a batch ends once its items weigh this much (one item at least). */
  maxWeight: number;
  /** The work an item stands for (a deletion of 100 messages weighs 100). */
  weigh: (item: T) => number;
  /**
   * Whether a batch that failed as a whole with `err` is kept and handed over again after a pause
   * (a locked database, a full disk) instead of dropped. Nothing is retried by default.
   */
  retryable: (err: unknown) => boolean;
}

/**
 * A serial FIFO that hands its items to one handler in batches. Batches are bounded by work, and
 * the queue yields to the event loop between them, so a backlog never blocks health probes or
 * Telegram's pings for long. A batch that fails for a retryable reason stays at the head of the
 * queue and is handed over again after a growing pause; later items wait behind it, in order.
 */
export class IngestQueue<T> {
  readonly #handle: BatchHandler<T>;
  readonly #limits: BatchLimits<T>;
  readonly #log: Logger;
  #items: T[] = [];
  #head = 0;
  #running = false;
  #closed = false;
  #idleWaiters: Array<() => void> = [];
  /** A failed batch waiting to be handed over again. */
  #retry: T[] | null = null;
  /** Ends the pause before a retry early (on close). */
  #wake: (() => void) | null = null;
  /** Items given up at close because storage kept failing. */
  #givenUp = 0;

  constructor(handle: BatchHandler<T>, log: Logger, limits: Partial<BatchLimits<T>> = {}) {
    this.#handle = handle;
    this.#log = log;
    this.#limits = {
      maxWeight: limits.maxWeight ?? 512,
      weigh: limits.weigh ?? (() => 1),
      retryable: limits.retryable ?? (() => false),
    };
  }

  /** Items waiting, for health and metrics. */
  get depth(): number {
    return this.#items.length - this.#head + (this.#retry?.length ?? 0);
  }

  /** Adds an item; it is handled after everything pushed before it. */
  push(item: T): void {
    if (this.#closed) return;
    this.#items.push(item);
    if (!this.#running) {
      this.#running = true;
      setImmediate(() => void this.#drain());
    }
  }

  /** Resolves when every item pushed so far has been handled. */
  idle(): Promise<void> {
    if (!this.#running && this.depth === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops taking items and waits for those already queued. A batch waiting for a retry gets one
   * last try at once; if that fails too, it and everything behind it are given up (logged with
   * their number): their updates were never acknowledged in the saved catch-up state, so the next
   * start fetches them again. Resolves with how many were given up.
   */
  async close(): Promise<number> {
    this.#closed = true;
    this.#wake?.();
    await this.idle();
    return this.#givenUp;
  }

  /** Takes the next batch off the queue. */
  #take(): T[] {
    const { maxWeight, weigh } = this.#limits;
    const start = this.#head;
    let weight = 0;
    while (this.#head < this.#items.length && (this.#head === start || weight < maxWeight)) {
      weight += weigh(this.#items[this.#head]!);
      this.#head++;
    }
    const batch = this.#items.slice(start, this.#head);
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    }
    return batch;
  }

  async #drain(): Promise<void> {
    const policy = storageRetryPolicy();
    while (this.depth > 0) {
      const retrying = this.#retry !== null;
      const batch = this.#retry ?? this.#take();
      this.#retry = null;
      try {
        await this.#handle(batch);
        policy.succeeded();
      } catch (err) {
        // The handler records per-item failures itself; this is a failure of the whole batch.
        if (this.#limits.retryable(err) && this.#closed && retrying) {
          // Storing anything after it would save a catch-up state past these updates.
          this.#givenUp = batch.length + this.depth;
          this.#items = [];
          this.#head = 0;
          this.#log.error(
            { err, items: this.#givenUp },
            "ingest stopped with updates not stored; catch-up fetches them at the next start",
          );
          break;
        }
        if (this.#limits.retryable(err)) {
          this.#retry = batch;
          // Once closing, the kept batch gets its last try at once.
          const retryInMs = policy.logFailure(
            this.#log,
            err,
            "ingest batch failed; it is kept and retried",
            { items: batch.length, waiting: this.depth },
            this.#closed ? 0 : Infinity,
          );
          if (retryInMs > 0) await this.#pause(retryInMs);
          continue;
        }
        this.#log.error({ err, items: batch.length }, "ingest batch failed; its updates are skipped");
      }
      if (this.depth > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }

  #pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = done;
    });
  }
}
