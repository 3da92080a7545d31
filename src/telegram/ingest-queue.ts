/**
 * The one serial queue every update goes through. GramJS dispatches updates concurrently and out
 * of order; here they wait in arrival order and are handled one batch at a time, each batch in one
 * database transaction, which is also what makes ingest fast.
 */
import type { Logger } from "pino";

/** Handles a batch of items; may be async (the queue waits for it before the next batch). */
export type BatchHandler<T> = (batch: T[]) => void | Promise<void>;

/** A serial FIFO that hands its items to one handler in batches. */
export class IngestQueue<T> {
  readonly #handle: BatchHandler<T>;
  readonly #maxBatch: number;
  readonly #log: Logger;
  #items: T[] = [];
  #running = false;
  #closed = false;
  #idleWaiters: Array<() => void> = [];

  constructor(handle: BatchHandler<T>, log: Logger, maxBatch = 512) {
    this.#handle = handle;
    this.#log = log;
    this.#maxBatch = maxBatch;
  }

  /** Items waiting, for health and metrics. */
  get depth(): number {
    return this.#items.length;
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
    if (!this.#running && this.#items.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /** Stops taking items and waits for those already queued. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.idle();
  }

  async #drain(): Promise<void> {
    while (this.#items.length > 0) {
      const batch = this.#items.length <= this.#maxBatch ? this.#items : this.#items.slice(0, this.#maxBatch);
      this.#items = this.#items.length <= this.#maxBatch ? [] : this.#items.slice(this.#maxBatch);
      try {
        await this.#handle(batch);
      } catch (err) {
        // The handler records per-item failures itself; this is a failure of the whole batch.
        this.#log.error({ err, items: batch.length }, "ingest batch failed");
      }
    }
    this.#running = false;
    const waiters = this.#idleWaiters;
    this.#idleWaiters = [];
    for (const w of waiters) w();
  }
}
