/**
 * The housekeeper and its steps, in the order they run: reports first, so retention never removes
 * what a report due now still reads; then retention of messages, events, archives and the outbox;
 * then the media purges and the measure of what media is kept. Part of the composition root.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import type { Feed } from "../feed/feed.ts";
import { archiveRetentionTask } from "../housekeeping/archive-retention.ts";
import { eventsRetentionTask } from "../housekeeping/events-retention.ts";
import { Housekeeper, totalCounts } from "../housekeeping/housekeeper.ts";
import { mediaBufferPurgeTask, vaultPurgeTask } from "../housekeeping/media-purge.ts";
import { type MediaUsage, mediaUsageTask } from "../housekeeping/media-usage.ts";
import { messageRetentionTask } from "../housekeeping/message-retention.ts";
import { outboxRetentionTask } from "../housekeeping/outbox-retention.ts";
import { reportPostsTask } from "../housekeeping/report-posts.ts";
import type { Logger } from "../log.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import { gatherInWorker } from "../report/gather-worker.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import { KeyValueStore } from "../store/kv.ts";
import { MediaFileStore } from "../store/media-files.ts";
import { OutboxStore } from "../store/outbox.ts";
import { RetentionQueries } from "../store/retention.ts";

/** What housekeeping is built from. */
export interface HousekeepingPartOptions {
  config: Config;
  store: Store;
  events: EventStore;
  feed: Feed;
  clock: Clock;
  log: Logger;
  counters: MetricCounters;
}

/** What health and metrics read of housekeeping. */
export interface HousekeepingStatus {
  /** When a run last completed without error (null before the first). */
  lastSuccessAt: number | null;
  /** Bytes of media kept, as of the last run (null before it). */
  mediaUsage: MediaUsage | null;
}

/** The housekeeper (not started) and what it reports. */
export interface HousekeepingPart {
  housekeeper: Housekeeper;
  status(): HousekeepingStatus;
}

/** Builds the housekeeper; `start()` it once the app is up. */
export function createHousekeeping(o: HousekeepingPartOptions): HousekeepingPart {
  const { config, store } = o;
  const usage: { current: MediaUsage | null } = { current: null };
  const queries = new RetentionQueries(store);
  const mediaFiles = new MediaFileStore(store.db);
  const outbox = new OutboxStore(store.db);
  const hk = config.housekeeping;
  const tasks = [
    reportPostsTask({
      // Without Telegram there is no log chat: reports would only pile up in the outbox.
      kinds: config.telegram ? hk.reportsToLogChat : [],
      dbFile: config.dbFile,
      store,
      feed: o.feed,
      kv: new KeyValueStore(store.db),
      gather: gatherInWorker,
    }),
    messageRetentionTask(queries, config.retentionDays),
    eventsRetentionTask(queries, hk.eventsRetentionDays, hk.archiveDir),
    archiveRetentionTask(hk.archiveDir, hk.archiveRetentionDays),
    outboxRetentionTask(outbox, store, hk.outboxRetentionDays),
    mediaBufferPurgeTask(mediaFiles, config.mediaDir, config.media.bufferTtlHours),
    vaultPurgeTask(mediaFiles, config.vaultDir, config.media.deletedTtlDays),
    mediaUsageTask(config.mediaDir, config.vaultDir, usage),
  ];
  const housekeeper = new Housekeeper({
    tasks,
    events: o.events,
    clock: o.clock,
    intervalMs: hk.intervalSecs * 1000,
    log: o.log.child({ part: "housekeeping" }),
    onRun: (r) => o.counters.housekeepingRun(r.status, totalCounts(r.counts)),
  });
  return {
    housekeeper,
    status: () => ({ lastSuccessAt: housekeeper.lastSuccessAt, mediaUsage: usage.current }),
  };
}
