/**
 * The one serial queue every update goes through. GramJS dispatches updates concurrently and out
 * of order; here they wait in arrival order and are handled one batch at a time, each batch in one
 * database transaction, which is also what makes ingest fast.
 */
import type { Logger } from "pino";

/** Handles a batch of items; may be async (the queue waits for it before the next batch). */
export type BatchHandler<T> = (batch: T[]) => void | Promise<void>;

/** How a batch is sized. */
export interface BatchLimits<T> {
  /** Most work per batch: a batch ends once its items weigh this much (one item at least). */
  maxWeight: number;
  /** The work an item stands for (a deletion of 100 messages weighs 100). */
  weigh: (item: T) => number;
}

/**
 * A serial FIFO that hands its items to one handler in batches. Batches are bounded by work, and
 * the queue yields to the event loop between them, so a backlog never blocks health probes or
 * Telegram's pings for long.
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

  constructor(handle: BatchHandler<T>, log: Logger, limits: Partial<BatchLimits<T>> = {}) {
    this.#handle = handle;
    this.#log = log;
    this.#limits = { maxWeight: limits.maxWeight ?? 512, weigh: limits.weigh ?? (() => 1) };
  }

  /** Items waiting, for health and metrics. */
  get depth(): number {
    return this.#items.length - this.#head;
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

  /** Stops taking items and waits for those already queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
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
    while (this.depth > 0) {
      const batch = this.#take();
      try {
        await this.#handle(batch);
      } catch (err) {
        // The handler records per-item failures itself; this is a failure of the whole batch.
        this.#log.error({ err, items: batch.length }, "ingest batch failed");
      }
      if (this.depth > 0) await new Promise((resolve) => setImmediate(resolve));
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
