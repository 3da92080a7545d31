/**
 * Prometheus metrics for /metrics: the counters (counters.ts), which the parts increment as things
 * happen, and gauges read from the running parts at scrape time, so they are never stale. Built
 * once every part is running, from what each part reports of itself.
 */
import { Gauge, Registry } from "prom-client";
import { type MetricCounters, PREFIX } from "./counters.ts";

/** Where scrape-time gauges come from; the composition root reads them from the parts. Each must be quick. */
export interface MetricSources {
  /** Outbox rows per status (`pending`, `sent`, `failed`, `folded`). */
  outboxByStatus(): Record<string, number>;
  /** Posts waiting to be sent (cheap: uses the status index). */
  outboxBacklog(): number;
  /** Updates waiting in the ingest queue. */
  ingestDepth(): number;
  /** Seconds of FloodWait left (0 when not waiting). */
  floodWaitSeconds(): number;
  /** When the last Telegram update was handled (null before the first, or without Telegram). */
  lastUpdateAt(): number | null;
  /** Database file + WAL size in bytes. */
  databaseBytes(): number;
  /** Bytes kept in the media buffer and in the vault (null until measured). */
  mediaBytes(): { buffer: number; vault: number } | null;
  /** Whether /health would answer 200 now. */
  healthy(): boolean;
  /** Seconds since housekeeping last completed a run (since start before the first), as /health counts. */
  secondsSinceHousekeeping(): number;
  /** Seconds Telegram has been disconnected or unauthorized (0 when fine, and without Telegram). */
  telegramDownSeconds(): number;
  /** Whether Telegram answered that the session is no longer authorized. */
  telegramLoggedOut(): boolean;
  /** Watched folders per state (empty without the file audit). */
  watchRootsByState(): Record<string, number>;
  now(): number;
}

/** The counters and the gauges of one running app, in one registry. */
export class Metrics {
  readonly registry: Registry;
  readonly counters: MetricCounters;

  constructor(counters: MetricCounters, sources: MetricSources) {
    this.counters = counters;
    const gauges = new Registry();
    const registers = [gauges];
    new Gauge({
      name: `${PREFIX}healthy`,
      help: "1 when /health answers 200, 0 when it answers 503 (its reasons say why)",
      registers,
      collect() {
        this.set(sources.healthy() ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}seconds_since_housekeeping`,
      help: "Seconds since housekeeping last completed a run (counted from start before the first one)",
      registers,
      collect() {
        this.set(sources.secondsSinceHousekeeping());
      },
    });
    new Gauge({
      name: `${PREFIX}telegram_down_seconds`,
      help: "Seconds Telegram has been disconnected or the session unauthorized (0 when connected, and without Telegram)",
      registers,
      collect() {
        this.set(sources.telegramDownSeconds());
      },
    });
    new Gauge({
      name: `${PREFIX}telegram_logged_out`,
      help: "1 when Telegram answered that the session is no longer authorized (log in again), else 0",
      registers,
      collect() {
        this.set(sources.telegramLoggedOut() ? 1 : 0);
      },
    });
    new Gauge({
      name: `${PREFIX}watch_roots`,
      help: "Watched folders by state (watching, scheduled-scans, fallback, starting, offline, stopped)",
      labelNames: ["state"],
      registers,
      collect() {
        this.reset();
        for (const [state, n] of Object.entries(sources.watchRootsByState())) this.set({ state }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}feed_posts`,
      help: "Log-chat posts in the outbox, by status (pending, sent, failed, folded)",
      labelNames: ["status"],
      registers,
      collect() {
        this.reset();
        for (const [status, n] of Object.entries(sources.outboxByStatus())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: `${PREFIX}feed_backlog`,
      help: "Log-chat posts waiting to be sent",
      registers,
      collect() {
        this.set(sources.outboxBacklog());
      },
    });
    new Gauge({
      name: `${PREFIX}feed_floodwait_seconds`,
      help: "Seconds left before Telegram lets the log-chat sender post again (FloodWait)",
      registers,
      collect() {
        this.set(sources.floodWaitSeconds());
      },
    });
    new Gauge({
      name: `${PREFIX}ingest_queue_depth`,
      help: "Telegram updates waiting in the ingest queue",
      registers,
      collect() {
        this.set(sources.ingestDepth());
      },
    });
    new Gauge({
      name: `${PREFIX}seconds_since_last_update`,
      help: "Seconds since the last Telegram update was handled (NaN before the first)",
      registers,
      collect() {
        // A gauge without labels always has a sample; NaN, unlike 0, never reads as "just now".
        const at = sources.lastUpdateAt();
        this.set(at === null ? Number.NaN : Math.max(0, (sources.now() - at) / 1000));
      },
    });
    new Gauge({
      name: `${PREFIX}database_bytes`,
      help: "Size of the SQLite database file plus its WAL",
      registers,
      collect() {
        this.set(sources.databaseBytes());
      },
    });
    new Gauge({
      name: `${PREFIX}media_bytes`,
      help: "Bytes of media kept, by store (buffer, vault), as of the last housekeeping run",
      labelNames: ["store"],
      registers,
      collect() {
        this.reset();
        const m = sources.mediaBytes();
        if (m) {
          this.set({ store: "buffer" }, m.buffer);
          this.set({ store: "vault" }, m.vault);
        }
      },
    });
    this.registry = Registry.merge([counters.registry, gauges]);
  }

  /** The exposition text and its content type. */
  async render(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
