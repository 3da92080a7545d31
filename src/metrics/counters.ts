/**
 * The counters of /metrics (prom-client, one registry per running app so tests can run several),
 * incremented where things happen: the capture observer, the log-chat sender, housekeeping, the
 * file audit, every committed `events` row, every failed write transaction. They exist before any
 * part starts; the gauges (metrics.ts) are read from the parts at scrape time. Names follow
 * Prometheus conventions: `telegram_logger_` prefix, base units, `_total` counters. Labels only
 * take values from fixed sets in the code (the one exception, `file_events_total{root}`, from the
 * operator's own config). docs/prometheus-alerts.yml alerts on them.
 */
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import { TRANSIENT_STORAGE_CODES } from "../store/transient-errors.ts";

/** Every metric's name starts with it. */
export const PREFIX = "telegram_logger_";

/** What this run has beyond what every run has, so it exports only series that mean something. */
export interface MetricOptions {
  /**
   * Whether a log-chat sender runs (Telegram is configured). Only then is
   * `feed_messages_sent_total` exported: without a sender, file-audit digests wait in the outbox for
   * a later run, and a count stuck at 0 beside them would read as a sender that is stuck.
   */
  feedSender: boolean;
}

/** The labels of `events_total`: an event row's source, type and status. */
export interface EventLabels {
  source: string;
  type: string;
  status: string;
}

/**
 * The event kinds docs/prometheus-alerts.yml alerts on, exported at 0 from start: a counter series
 * that first appears at 1 has no earlier sample, so `increase()` would miss the first such event.
 */
export const ALERTED_EVENTS: readonly EventLabels[] = [
  { source: "fs", type: "file.error", status: "error" },
  { source: "fs", type: "root.offline", status: "error" },
  { source: "system", type: "watch.config_rejected", status: "error" },
  { source: "system", type: "housekeeping.run", status: "error" },
  { source: "system", type: "feed.post_failed", status: "error" },
  { source: "telegram", type: "update.failed", status: "error" },
  { source: "telegram", type: "updates.gap", status: "warning" },
  { source: "telegram", type: "media.download_failed", status: "error" },
];

/** The counters of the service: incremented where things happen, by the parts that see them. */
export class MetricCounters {
  readonly registry = new Registry();
  readonly #messagesStored;
  readonly #deletions;
  readonly #edits;
  readonly #updates;
  readonly #handlerSeconds;
  readonly #fileEvents;
  readonly #housekeepingRuns;
  readonly #purged;
  readonly #events;
  readonly #storageFailures;
  readonly #feedMessagesSent;

  constructor(options: MetricOptions) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry, prefix: PREFIX });
    this.#messagesStored = new Counter({
      name: `${PREFIX}messages_stored_total`,
      help: "Messages stored, by chat type",
      labelNames: ["chat_type"],
      registers,
    });
    this.#deletions = new Counter({
      name: `${PREFIX}deletions_total`,
      help: "Deleted messages recovered and posted to the log chat",
      registers,
    });
    this.#edits = new Counter({
      name: `${PREFIX}edits_total`,
      help: "Real edits recorded (reactions and invisible changes excluded)",
      registers,
    });
    this.#updates = new Counter({
      name: `${PREFIX}updates_total`,
      help: "Telegram updates handled, by kind (new, edit, delete, ignore) and outcome (ok, failed)",
      labelNames: ["kind", "outcome"],
      registers,
    });
    this.#handlerSeconds = new Histogram({
      name: `${PREFIX}handler_duration_seconds`,
      help: "Time to handle one update, by kind",
      labelNames: ["kind"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers,
    });
    this.#fileEvents = new Counter({
      name: `${PREFIX}file_events_total`,
      help: "File-audit events recorded, by type and watch root",
      labelNames: ["type", "root"],
      registers,
    });
    this.#housekeepingRuns = new Counter({
      name: `${PREFIX}housekeeping_runs_total`,
      help: "Housekeeping runs, by status (success, error)",
      labelNames: ["status"],
      registers,
    });
    this.#purged = new Counter({
      name: `${PREFIX}housekeeping_purged_total`,
      help: "Rows and files removed by housekeeping, by what (messages, revisions, events, ...)",
      labelNames: ["what"],
      registers,
    });
    this.#events = new Counter({
      name: `${PREFIX}events_total`,
      help: "Rows written to the events table (the audit trail) by this process, by source, type and status; counted once committed",
      labelNames: ["source", "type", "status"],
      registers,
    });
    this.#storageFailures = new Counter({
      name: `${PREFIX}storage_failures_total`,
      help: "Write transactions that failed on storage (locked database, full disk, I/O error), by SQLite result code; the work is retried",
      labelNames: ["code"],
      registers,
    });
    // Exported at 0 from start (when a sender runs), so `increase()` sees the first message too and
    // stays 0 while posts wait: unlike `feed_posts{status="sent"}`, which outbox retention lowers.
    this.#feedMessagesSent = new Counter({
      name: `${PREFIX}feed_messages_sent_total`,
      help: "Messages that reached the log chat since start (a text part or a file; an album counts once)",
      registers: options.feedSender ? registers : [],
    });
    for (const e of ALERTED_EVENTS) this.#events.inc(e, 0);
    for (const code of TRANSIENT_STORAGE_CODES) this.#storageFailures.inc({ code }, 0);
  }

  /** One update handled by capture. */
  updateHandled(kind: string, outcome: "ok" | "failed", seconds: number): void {
    this.#updates.inc({ kind, outcome });
    this.#handlerSeconds.observe({ kind }, seconds);
  }

  messageStored(chatType: string): void {
    this.#messagesStored.inc({ chat_type: chatType });
  }

  deletionsPosted(n: number): void {
    if (n > 0) this.#deletions.inc(n);
  }

  editRecorded(): void {
    this.#edits.inc();
  }

  /** For the file audit: one event of `type` under watch root `root`. */
  fileEvent(type: string, root: string): void {
    this.#fileEvents.inc({ type, root });
  }

  /** One message (a text part, a file, an album) reached the log chat. */
  feedMessageSent(): void {
    this.#feedMessagesSent.inc();
  }

  /** One housekeeping run and what it removed. */
  housekeepingRun(status: "success" | "error", counts: Record<string, number>): void {
    this.#housekeepingRuns.inc({ status });
    for (const [what, n] of Object.entries(counts)) if (n > 0) this.#purged.inc({ what }, n);
  }

  /** One `events` row committed by this process. */
  eventWritten(e: EventLabels): void {
    this.#events.inc({ source: e.source, type: e.type, status: e.status });
  }

  /** One write transaction that failed with storage error `code` (`SQLITE_BUSY`, `SQLITE_FULL`, ...). */
  storageFailed(code: string): void {
    this.#storageFailures.inc({ code });
  }
}
