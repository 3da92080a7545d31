/**
 * Counting only what reached the database. A row inserted inside a write transaction is not stored
 * until that transaction commits, and is gone when it (or the savepoint it was written in) rolls
 * back: a batch of Telegram updates rolled back on a locked database and retried, or one update
 * whose savepoint failed, must not be counted twice or at all. So notes made inside a transaction
 * wait here until the outermost transaction returns (it has committed by then) and are dropped when
 * the transaction or savepoint they were made in throws (it has rolled back by then). A note made
 * outside any transaction is passed on at once: SQLite commits a lone statement by itself.
 *
 * It knows of transactions only through `wrap`: every write transaction whose rows are noted must
 * be run through the wrapped function (the service's `Store.transaction` is, see src/app/).
 */

/** A transaction runner: `Store.transaction` (nested calls are savepoints). */
export type Transaction = <T>(fn: () => T) => T;

/** Holds notes made inside transactions until they commit; see the module comment. */
export class AfterCommit<N> {
  readonly #deliver: (note: N) => void;
  #pending: N[] = [];
  #depth = 0;

  /** `deliver` receives each note once its rows are known to be committed. */
  constructor(deliver: (note: N) => void) {
    this.#deliver = deliver;
  }

  /** Notes a write that has just happened, in whatever transaction is running now. */
  note(n: N): void {
    if (this.#depth === 0) this.#deliver(n);
    else this.#pending.push(n);
  }

  /** `transaction`, keeping track of where each transaction and savepoint begins and ends. */
  wrap(transaction: Transaction): Transaction {
    return <T>(fn: () => T): T => {
      const mark = this.#pending.length;
      this.#depth++;
      let result: T;
      try {
        result = transaction(fn);
      } catch (err) {
        // Rolled back (a failed COMMIT too): what was noted since this one began was never stored.
        this.#pending.length = mark;
        throw err;
      } finally {
        this.#depth--;
      }
      if (this.#depth === 0) {
        const committed = this.#pending;
        this.#pending = [];
        for (const n of committed) this.#deliver(n);
      }
      return result;
    };
  }
}
