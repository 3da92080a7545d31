/**
 * The composition root: the only place that knows every part. `startApp` builds the parts in one
 * visible order — store → events → feed → Telegram → file audit → agents' recorder → housekeeping → health and
 * metrics → the web UI and http — each from an options object holding what the ones before it made, and returns
 * an `App` that tests and the `run` command drive with `idle()` and `stop()`.
 */
import type { TelegramClient } from "telegram";
import { type Clock, systemClock } from "../clock.ts";
import { type Config, secretValues } from "../config.ts";
import { OutboxFeed } from "../feed/outbox-feed.ts";
import type { FileAudit } from "../fswatch/file-audit.ts";
import type { Housekeeper } from "../housekeeping/housekeeper.ts";
import { ErrorLog } from "../http/health/error-log.ts";
import type { HealthReport } from "../http/health/model.ts";
import { type HttpServer, startHttpServer } from "../http/server.ts";
import { createLogger, type Logger } from "../log.ts";
import { MetricCounters } from "../metrics/counters.ts";
import type { Metrics } from "../metrics/metrics.ts";
import { uiTokenFileOf } from "../store/data-paths.ts";
import { RUNNING_BUSY_TIMEOUT_MS, type Store } from "../store/db.ts";
import { OutboxStore } from "../store/outbox.ts";
import { ReadWorker } from "../web/read-worker.ts";
import { resolveUiToken } from "../web/ui-token.ts";
import { webUi } from "../web/web-ui.ts";
import { type AgentRecorderPart, startAgentRecorder } from "./agent-recorder-part.ts";
import { type FileAuditPart, startFileAudit } from "./file-audit-part.ts";
import { createHousekeeping } from "./housekeeping-part.ts";
import { watchOperations } from "./operations.ts";
import { type SearchPart, startSearchIndexing } from "./search-part.ts";
import { stopApp } from "./stop-app.ts";
import { openStorePart } from "./store-part.ts";
import type { TelegramPart } from "./telegram-part.ts";

/** What `startApp` takes. Only `config` is required. */
export interface StartOptions {
  config: Config;
  /**
   * The connected, authorized client, needed when `config.telegram` is set (the `run` command
   * connects it; tests pass an offline one). The caller destroys it after `stop()`.
   */
  telegram?: TelegramClient;
  clock?: Clock;
  /** Without one, a logger is made that reports its errors to `errors` (what /health shows). */
  logger?: Logger;
  /** Where logged errors are remembered; pass the one your `logger` reports to. */
  errors?: ErrorLog;
}

/** A running service. */
export interface App {
  readonly config: Config;
  readonly store: Store;
  readonly log: Logger;
  /** The file audit of watched folders, when `WATCH_CONFIG` is set. */
  readonly fileAudit: FileAudit | undefined;
  /** Resolves when the ingest queue, the outbox and the file audit have nothing left to do now. */
  idle(): Promise<void>;
  /** Stops intake, lets work in flight finish (at most `STOP_DRAIN_MS`), closes the database. */
  stop(): Promise<void>;
  /** Where /health and /metrics listen. */
  readonly http: { host: string; port: number };
  /** The health assessment /health answers with. */
  health(): HealthReport;
  readonly metrics: Metrics;
  readonly housekeeper: Housekeeper;
}

/** Starts the service with `options.config`; see `App`. */
export async function startApp(options: StartOptions): Promise<App> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const startedAt = clock.now();
  const errors =
    options.errors ??
    new ErrorLog(
      () => clock.now(),
      () => secretValues(config),
    );
  const log =
    options.logger ??
    createLogger({ level: config.logLevel, onError: (message, err) => errors.record(message, err) });
  const counters = new MetricCounters({ feedSender: config.telegram !== null });
  const data = openStorePart(config, counters);
  const { store, events } = data;
  // Posts queued without Telegram (file-audit digests) wait in the outbox for a later run's sender.
  const feed = new OutboxFeed(new OutboxStore(store.db), () => clock.now());
  const built = { store, events, feed, clock, log, counters };
  let telegram: TelegramPart | undefined;
  let files: FileAuditPart | undefined;
  let agents: AgentRecorderPart | undefined;
  let http: HttpServer | undefined;
  let uiReads: ReadWorker | undefined;
  let search: SearchPart | undefined;
  try {
    telegram = await startTelegramIfConfigured(options, built);
    if (config.watchConfigFile) {
      const onChange = (type: string, root: string) => counters.fileEvent(type, root);
      files = await startFileAudit({ ...built, file: config.watchConfigFile, onChange });
    }
    // Remote file agents' events, when NATS_URL is set; the broker is waited for in the background.
    if (config.nats) agents = startAgentRecorder({ nats: config.nats, store, events, clock, log });
    const housekeeping = createHousekeeping({ ...built, config });
    const ops = watchOperations({
      config,
      clock,
      errors,
      startedAt,
      data,
      telegram,
      files,
      housekeeping,
      counters,
    });
    const { host, port, healthPath } = config.http;
    const uiToken = resolveUiToken(config.uiToken, uiTokenFileOf(config.dbFile));
    // The UI reads on a worker thread with its own read-only connection, so no page stalls ingest.
    uiReads = new ReadWorker(config.dbFile);
    const ui = webUi({
      token: uiToken,
      reads: uiReads,
      now: () => clock.now(),
      // What /health answers (no secret in it), for the status page.
      status: () => ({ ...ops.health(), housekeeping: housekeeping.status() }),
      media: { mediaDir: config.mediaDir, vaultDir: config.vaultDir, vaultKey: config.media.deletedMediaKey },
    });
    http = await startHttpServer(
      { healthPath, health: ops.health, metrics: () => ops.metrics.render(), routes: ui },
      host,
      port,
    );
    log.info({ host: http.host, port: http.port, healthPath, ui: "/ui/" }, "http listening");
    // From here on every writer waits out another process's lock itself, and a short wait inside
    // SQLite keeps the event loop (and /health) answering while such a lock is held.
    store.setBusyTimeout(RUNNING_BUSY_TIMEOUT_MS);
    housekeeping.housekeeper.start();
    // The search index follows the rows written, in the background (and builds itself once).
    search = startSearchIndexing(store, log);
    const running = {
      config,
      log,
      data,
      telegram,
      files,
      agents,
      housekeeper: housekeeping.housekeeper,
      http,
      uiReads,
      search,
    };
    return {
      config,
      store,
      log,
      fileAudit: files?.audit,
      http: { host: http.host, port: http.port },
      health: ops.health,
      metrics: ops.metrics,
      housekeeper: housekeeping.housekeeper,
      async idle() {
        await files?.audit.idle();
        await telegram?.idle();
      },
      stop: onceOnly(() => stopApp(running)),
    };
  } catch (err) {
    search?.stop();
    await agents?.stop();
    await files?.stop();
    await telegram?.detach();
    await http?.close();
    await uiReads?.close();
    data.close();
    throw err;
  }
}

/** The Telegram side when Telegram is configured; otherwise says once why it is off. */
async function startTelegramIfConfigured(
  options: StartOptions,
  built: Omit<
    Parameters<typeof import("./telegram-part.ts").startTelegram>[0],
    "client" | "config" | "telegram"
  >,
): Promise<TelegramPart | undefined> {
  const { config } = options;
  const { log } = built;
  if (config.telegram) {
    if (!options.telegram)
      throw new Error("startApp: config.telegram is set but no connected client was given");
    // Loaded only when Telegram is configured: GramJS alone is ~40 MB of RSS for a file-audit-only run.
    const { startTelegram } = await import("./telegram-part.ts");
    return startTelegram({ ...built, client: options.telegram, config, telegram: config.telegram });
  }
  const alone = config.watchConfigFile
    ? "no Telegram credentials configured: running the file audit alone"
    : config.nats
      ? "no Telegram credentials and no watch config: recording the remote file agents alone"
      : "no Telegram credentials configured: running without Telegram capture";
  // `.env.example` pre-fills LOG_CHAT_ID and other Telegram settings: the user is told why nothing
  // from Telegram will arrive.
  if (config.ignoredTelegramSettings.length > 0) {
    log.warn(
      { ignored: config.ignoredTelegramSettings },
      `${alone}. Telegram capture is off because API_ID and API_HASH are not set; the Telegram settings are ignored until both are`,
    );
  } else log.info(alone);
  return undefined;
}

/** `fn` on the first call; later calls get the first call's promise. */
function onceOnly(fn: () => Promise<void>): () => Promise<void> {
  let done: Promise<void> | undefined;
  return () => {
    done ??= fn();
    return done;
  };
}
