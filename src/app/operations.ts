/**
 * Wiring of what operators see and what keeps the data in bounds: the Prometheus metrics (and the
 * counted store every part writes through, so metrics see committed event rows), the health parts
 * /health assesses, and the housekeeping steps in the order they run. Part of the composition
 * root; only `src/app.ts` uses it.
 */
import type { Clock } from "../clock.ts";
import type { Config } from "../config.ts";
import { OutboxFeed } from "../feed/outbox-feed.ts";
import { archiveRetentionTask } from "../housekeeping/archive-retention.ts";
import { eventsRetentionTask } from "../housekeeping/events-retention.ts";
import { Housekeeper, totalCounts } from "../housekeeping/housekeeper.ts";
import { mediaBufferPurgeTask, vaultPurgeTask } from "../housekeeping/media-purge.ts";
import { type MediaUsage, mediaUsageTask } from "../housekeeping/media-usage.ts";
import { messageRetentionTask } from "../housekeeping/message-retention.ts";
import { outboxRetentionTask } from "../housekeeping/outbox-retention.ts";
import { reportPostsTask } from "../housekeeping/report-posts.ts";
import type { HousekeepingTask } from "../housekeeping/task.ts";
import type { ErrorLog } from "../http/health/error-log.ts";
import { assessHealth, type HealthPart, type HealthReport, reportSafely } from "../http/health/model.ts";
import {
  databaseReport,
  outboxReport,
  telegramDisabledReport,
  telegramReport,
  type WatchRootStatus,
  watchersReport,
} from "../http/health/parts.ts";
import type { Logger } from "../log.ts";
import { type MetricSources, Metrics } from "../metrics/metrics.ts";
import { gatherInWorker } from "../report/gather-worker.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import { KeyValueStore } from "../store/kv.ts";
import { MediaFileStore } from "../store/media-files.ts";
import { OutboxStore } from "../store/outbox.ts";
import type { StoreReader } from "../store/reader.ts";
import { RetentionQueries } from "../store/retention.ts";
import { countedStore } from "./counted-store.ts";
import { type FileAuditPart, watchRootHealth } from "./file-audit-part.ts";
import type { TelegramPart } from "./telegram-part.ts";

/**
 * The parts operations look at, asked at the moment of each reading: they start after operations
 * are built and either may not run at all.
 */
export interface RunningParts {
  telegram(): TelegramPart | undefined;
  files(): FileAuditPart | undefined;
}

/** What operations need; `reader` is the read-only connection, so probes never wait on writers. */
export interface OperationsDeps {
  config: Config;
  store: Store;
  reader: StoreReader;
  clock: Clock;
  log: Logger;
  errors: ErrorLog;
  startedAt: number;
  running: RunningParts;
}

/** Metrics, housekeeping and the health assessment of one running app. */
export interface Operations {
  metrics: Metrics;
  housekeeper: Housekeeper;
  health(): HealthReport;
  /** `deps.store` with its write transactions counted: what every part must write through. */
  store: Store;
  /** The one event store of the app: its committed rows are counted in `events_total`. */
  events: EventStore;
  /** The one way into the log chat, writing through `store`. */
  feed: OutboxFeed;
}

/** Builds metrics, the housekeeper (not started) and health over the parts `running` names. */
export function createOperations(d: OperationsDeps): Operations {
  const { config, reader, clock, errors, startedAt, running } = d;
  const readOutbox = new OutboxStore(reader.db);
  const mediaUsage: { current: MediaUsage | null } = { current: null };
  const sources: MetricSources = {
    outboxByStatus: () => readOutbox.countByStatus(),
    outboxBacklog: () => readOutbox.summary().pending,
    ingestDepth: () => running.telegram()?.queue.depth ?? 0,
    floodWaitSeconds: () =>
      Math.max(0, ((running.telegram()?.sender.floodWaitUntil ?? 0) - clock.now()) / 1000),
    lastUpdateAt: () => running.telegram()?.capture.stats.lastUpdateAt ?? null,
    databaseBytes: () => {
      const p = reader.probe();
      return p.sizeBytes + p.walBytes;
    },
    mediaBytes: () => mediaUsage.current,
    healthy: () => health().httpStatus === 200,
    secondsSinceHousekeeping: () =>
      Math.max(0, (clock.now() - (housekeeper.lastSuccessAt ?? startedAt)) / 1000),
    telegramDownSeconds: () => {
      const since = running.telegram()?.probe.badSince ?? null;
      return since === null ? 0 : Math.max(0, (clock.now() - since) / 1000);
    },
    telegramLoggedOut: () => running.telegram()?.probe.authorized === false,
    watchRootsByState: () => {
      const byState: Record<string, number> = {};
      for (const r of running.files()?.audit.status() ?? []) byState[r.state] = (byState[r.state] ?? 0) + 1;
      return byState;
    },
    now: () => clock.now(),
  };
  // Without Telegram no sender runs: file-audit digests wait in the outbox for a later run.
  const metrics = new Metrics(sources, { feedSender: config.telegram !== null });
  const { store, events } = countedStore(d.store, metrics);
  // Posts queued without Telegram (file-audit digests) wait in the outbox for a sender.
  const feed = new OutboxFeed(new OutboxStore(store.db), () => clock.now());
  const housekeeper = new Housekeeper({
    tasks: housekeepingTasks(config, store, feed, mediaUsage),
    events,
    clock,
    intervalMs: config.housekeeping.intervalSecs * 1000,
    log: d.log.child({ part: "housekeeping" }),
    onRun: (r) => metrics.housekeepingRun(r.status, totalCounts(r.counts)),
  });
  const parts = healthParts(config, reader, readOutbox, running);
  const health = (): HealthReport => {
    const now = clock.now();
    return assessHealth({
      now,
      startedAt,
      lastHousekeepingAt: housekeeper.lastSuccessAt,
      lastError: errors.last,
      errorWindowSecs: config.http.errorWindowSecs,
      housekeepingStaleSecs: config.http.housekeepingStaleSecs,
      parts: parts.map((p) => ({ name: p.name, report: reportSafely(p, now) })),
    });
  };
  return { metrics, housekeeper, health, store, events, feed };
}

/** The parts /health assesses one by one, each from facts read at the moment of asking. */
function healthParts(
  config: Config,
  reader: StoreReader,
  readOutbox: OutboxStore,
  running: RunningParts,
): HealthPart[] {
  const watchStatus = (): readonly WatchRootStatus[] | null =>
    running.files()?.audit.status().map(watchRootHealth) ?? null;
  return [
    {
      name: "telegram",
      report: (now) => {
        const telegram = running.telegram();
        if (!telegram) return telegramDisabledReport();
        const { probe, capture } = telegram;
        const facts = {
          connected: probe.connected,
          authorized: probe.authorized,
          lastUpdateAt: capture.stats.lastUpdateAt,
          startedAt: telegram.startedAt,
        };
        return telegramReport(facts, probe.badSince, now, config.http.updateStallSecs);
      },
    },
    {
      name: "outbox",
      report: (now) => {
        const telegram = running.telegram();
        if (!telegram) return { state: { enabled: false }, problems: [] };
        const facts = {
          ...readOutbox.summary(),
          earliestDueAt: readOutbox.nextDueAt() ?? null,
          lastSentAt: telegram.sender.lastSentAt,
          floodWaitUntil: telegram.sender.floodWaitUntil,
        };
        return outboxReport(facts, now, config.http.outboxStuckSecs);
      },
    },
    { name: "watchers", report: () => watchersReport(watchStatus()) },
    { name: "database", report: () => databaseReport(reader.probe()) },
  ];
}

/**
 * The housekeeping steps, in order: reports first, so retention never removes what a report due
 * now still reads.
 */
function housekeepingTasks(
  config: Config,
  store: Store,
  feed: OutboxFeed,
  mediaUsage: { current: MediaUsage | null },
): HousekeepingTask[] {
  const queries = new RetentionQueries(store);
  const mediaFiles = new MediaFileStore(store.db);
  return [
    reportPostsTask({
      // Without Telegram there is no log chat: reports would only pile up in the outbox.
      kinds: config.telegram ? config.housekeeping.reportsToLogChat : [],
      dbFile: config.dbFile,
      store,
      feed,
      kv: new KeyValueStore(store.db),
      gather: gatherInWorker,
    }),
    messageRetentionTask(queries, config.retentionDays),
    eventsRetentionTask(queries, config.housekeeping.eventsRetentionDays, config.housekeeping.archiveDir),
    archiveRetentionTask(config.housekeeping.archiveDir, config.housekeeping.archiveRetentionDays),
    outboxRetentionTask(new OutboxStore(store.db), store, config.housekeeping.outboxRetentionDays),
    mediaBufferPurgeTask(mediaFiles, config.mediaDir, config.media.bufferTtlHours),
    vaultPurgeTask(mediaFiles, config.vaultDir, config.media.deletedTtlDays),
    mediaUsageTask(config.mediaDir, config.vaultDir, mediaUsage),
  ];
}
