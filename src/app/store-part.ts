/**
 * The first part built: the data folders, the database opened and migrated, and a second,
 * read-only connection for what only reads (health probes, metrics), so a probe never waits on a
 * writer; and one more for the web UI alone. Every part writes through `store`, whose write transactions are counted for metrics
 * (counted-store.ts), and records events through the one `events` store built here.
 */
import { type Config, ConfigError } from "../config.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import { ensurePrivateDir, openStore, type Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import { OutboxStore } from "../store/outbox.ts";
import { type DatabaseProbe, openReader, type StoreReader } from "../store/reader.ts";
import { countedStore } from "./counted-store.ts";

/** The open database of a running app. */
export interface StorePart {
  /** The database, with counted write transactions: what every part writes through. */
  store: Store;
  /** The app's one event store; its committed rows are counted in `events_total`. */
  events: EventStore;
  /** The read-only connection. */
  reader: StoreReader;
  /** The outbox as the read-only connection sees it. */
  readOutbox: OutboxStore;
  /** The database's size and state, read on the read-only connection. */
  status(): DatabaseProbe;
  /** Closes both connections. */
  close(): void;
}

/**
 * Creates the data folders (mode 0700) and opens the database. A folder that cannot be created or
 * used is a `ConfigError` naming DATA_ROOT.
 */
export function openStorePart(config: Config, counters: MetricCounters): StorePart {
  for (const dir of [config.dataRoot, config.mediaDir, config.vaultDir]) {
    try {
      ensurePrivateDir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError("DATA_ROOT", `cannot create or use ${dir} (${code})`);
    }
  }
  const opened = openStore(config.dbFile);
  let reader: StoreReader;
  try {
    reader = openReader(config.dbFile);
  } catch (err) {
    opened.close();
    throw err;
  }
  const { store, events } = countedStore(opened, counters);
  return {
    store,
    events,
    reader,
    readOutbox: new OutboxStore(reader.db),
    status: () => reader.probe(),
    close() {
      reader.close();
      opened.close();
    },
  };
}
