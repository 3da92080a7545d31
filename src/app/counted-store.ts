/**
 * Wiring of the store as the running service writes to it, with metrics watching: every write
 * transaction runs through `AfterCommit`, so `events_total` counts an `events` row only once its
 * transaction has committed, and a transaction failing on storage (lock, full disk, I/O) is counted
 * by its SQLite code. The one `EventStore` built here is the one every part records events with.
 * Part of the composition root; only store-part.ts uses it.
 */
import { AfterCommit, type Transaction } from "../metrics/after-commit.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import type { Store } from "../store/db.ts";
import { type EventKind, EventStore } from "../store/events.ts";
import { storageFailureCode } from "../store/transient-errors.ts";

/** The counted store and the event store that writes through it. */
export interface CountedStore {
  /** The same database; `transaction` is the counted one. */
  store: Store;
  events: EventStore;
}

/** Wraps `store` so `metrics` sees committed event rows and failed write transactions. */
export function countedStore(store: Store, metrics: MetricCounters): CountedStore {
  const committed = new AfterCommit<EventKind>((e) => metrics.eventWritten(e));
  const transaction = countingFailures(store, committed.wrap(store.transaction), (code) =>
    metrics.storageFailed(code),
  );
  const counted: Store = { ...store, transaction };
  return { store: counted, events: new EventStore(counted.db, (e) => committed.note(e)) };
}

/**
 * Counts each outermost transaction that failed on storage once (a savepoint failing with it fails
 * its transaction too); other errors (a constraint, a malformed update) are not storage failures.
 */
function countingFailures(
  store: Store,
  transaction: Transaction,
  failed: (code: string) => void,
): Transaction {
  return <T>(fn: () => T): T => {
    const outermost = !store.sqlite.inTransaction;
    try {
      return transaction(fn);
    } catch (err) {
      const code = storageFailureCode(err);
      if (outermost && code !== null) failed(code);
      throw err;
    }
  };
}
