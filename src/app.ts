/**
 * The composition root: the only place that knows every part. `startApp` opens the store, wires
 * Telegram capture to the ingest queue and the feed sender to the log chat, and returns an `App`
 * that tests and `main.ts` drive with `idle()` and `stop()`. The wiring of each part lives in
 * `src/app/`, which nothing else imports.
 */
import type { TelegramClient } from "telegram";
import { type FileAuditPart, startFileAudit } from "./app/file-audit-part.ts";
import { createOperations } from "./app/operations.ts";
import type { TelegramPart } from "./app/telegram-part.ts";
import { type Clock, systemClock } from "./clock.ts";
import { type Config, ConfigError, secretValues } from "./config.ts";
import type { FileAudit } from "./fswatch/file-audit.ts";
import type { Housekeeper } from "./housekeeping/housekeeper.ts";
import { ErrorLog } from "./http/health/error-log.ts";
import type { HealthReport } from "./http/health/model.ts";
import { type HttpServer, startHttpServer } from "./http/server.ts";
import { createLogger, type Logger } from "./log.ts";
import type { Metrics } from "./metrics/metrics.ts";
import { ensurePrivateDir, openStore, RUNNING_BUSY_TIMEOUT_MS, type Store } from "./store/db.ts";
import { openReader } from "./store/reader.ts";

/** The `scan` command's pass lives with the file-audit wiring; `main.ts` and the bench take it from here. */
export { scanOnce } from "./app/file-audit-part.ts";

/** How long `stop()` waits for work in flight before closing the database anyway. */
export const STOP_DRAIN_MS = 8_000;

/** What `startApp` takes. Only `config` is required. */
export interface StartOptions {
  config: Config;
  /** An already-built client (tests pass an offline one); otherwise one is connected from the saved session. */
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
  for (const dir of [config.dataRoot, config.mediaDir, config.vaultDir]) {
    try {
      ensurePrivateDir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new ConfigError("DATA_ROOT", `cannot create or use ${dir} (${code})`);
    }
  }
  const opened = openStore(config.dbFile);
  const reader = openReader(config.dbFile);
  let telegram: TelegramPart | undefined;
  let files: FileAuditPart | undefined;
  // `store` counts its write transactions for metrics: every part writes through it.
  const { metrics, housekeeper, health, store, events, feed } = createOperations({
    config,
    store: opened,
    reader,
    clock,
    log,
    errors,
    startedAt,
    running: { telegram: () => telegram, files: () => files },
  });

  let http: HttpServer | undefined;
  try {
    if (config.telegram) {
      // Loaded only when Telegram is configured: GramJS alone is ~40 MB of RSS for a file-audit-only run.
      const { startTelegram } = await import("./app/telegram-part.ts");
      const { connectAuthorized } = await import("./telegram/connect.ts");
      const client = options.telegram ?? (await connectAuthorized(config.telegram, log));
      telegram = await startTelegram(
        client,
        !options.telegram,
        config,
        store,
        events,
        feed,
        clock,
        log,
        metrics,
      );
    } else {
      const alone = config.watchConfigFile
        ? "no Telegram credentials configured: running the file audit alone"
        : "no Telegram credentials configured: running without Telegram capture";
      // `.env.example` pre-fills LOG_CHAT_ID and other Telegram settings: the user is told why
      // nothing from Telegram will arrive.
      if (config.ignoredTelegramSettings.length > 0) {
        log.warn(
          { ignored: config.ignoredTelegramSettings },
          `${alone}. Telegram capture is off because API_ID and API_HASH are not set; the Telegram settings are ignored until both are`,
        );
      } else log.info(alone);
    }
    if (config.watchConfigFile) {
      const onChange = (type: string, root: string) => metrics.fileEvent(type, root);
      files = await startFileAudit(config.watchConfigFile, store, events, feed, clock, log, onChange);
    }
    const { host, port, healthPath } = config.http;
    http = await startHttpServer({ healthPath, health, metrics: () => metrics.render() }, host, port);
    log.info({ host: http.host, port: http.port, healthPath }, "http listening");
  } catch (err) {
    await files?.stop();
    await telegram?.detach();
    reader.close();
    store.close();
    throw err;
  }
  // From here on every writer waits out another process's lock itself, and a short wait inside
  // SQLite keeps the event loop (and /health) answering while such a lock is held.
  store.setBusyTimeout(RUNNING_BUSY_TIMEOUT_MS);
  housekeeper.start();

  let stopped = false;
  const httpServer = http;
  return {
    config,
    store,
    log,
    fileAudit: files?.audit,
    http: { host: httpServer.host, port: httpServer.port },
    health,
    metrics,
    housekeeper,
    async idle() {
      await files?.audit.idle();
      await telegram?.idle();
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // Every part stops and the database closes even when one part fails to stop cleanly.
      const drained = Promise.allSettled([housekeeper.stop(), files?.stop(), telegram?.detach()]).then(
        (results) => {
          for (const r of results)
            if (r.status === "rejected") log.error({ err: r.reason }, "a part failed to stop");
          return true;
        },
      );
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), STOP_DRAIN_MS);
      });
      if (!(await Promise.race([drained, timeout])))
        log.warn({ waitedMs: STOP_DRAIN_MS }, "work in flight did not finish in time; closing anyway");
      clearTimeout(timer);
      await httpServer.close();
      reader.close();
      store.close();
      log.info("stopped");
    },
  };
}
