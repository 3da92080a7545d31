/**
 * The composition root: the only place that knows every part. `startApp` opens the store, wires
 * Telegram capture to the ingest queue and the feed sender to the log chat, and returns an `App`
 * that tests and `main.ts` drive with `idle()` and `stop()`.
 */
import type { TelegramClient } from "telegram";
import { Raw } from "telegram/events/index.js";
import { type Clock, systemClock } from "./clock.ts";
import { type Config, ConfigError, secretValues } from "./config.ts";
import { Feed } from "./feed/feed.ts";
import { FeedSender } from "./feed/sender.ts";
import { eventsRetentionTask } from "./housekeeping/events-retention.ts";
import { Housekeeper, totalCounts } from "./housekeeping/housekeeper.ts";
import { type MediaUsage, mediaUsageTask } from "./housekeeping/media-usage.ts";
import { messageRetentionTask } from "./housekeeping/message-retention.ts";
import type { HousekeepingTask } from "./housekeeping/task.ts";
import { ErrorLog } from "./http/health/error-log.ts";
import { assessHealth, type HealthPart, type HealthReport, reportSafely } from "./http/health/model.ts";
import {
  databaseReport,
  outboxReport,
  telegramDisabledReport,
  telegramReport,
  type WatchRootStatus,
  watchersReport,
} from "./http/health/parts.ts";
import { type HttpServer, startHttpServer } from "./http/server.ts";
import { createLogger, type Logger } from "./log.ts";
import { Metrics } from "./metrics/metrics.ts";
import { ensurePrivateDir, openStore, type Store } from "./store/db.ts";
import { EventStore } from "./store/events.ts";
import { KeyValueStore } from "./store/kv.ts";
import { MessageStore } from "./store/messages.ts";
import { OutboxStore } from "./store/outbox.ts";
import { PeerStore } from "./store/peers.ts";
import { openReader } from "./store/reader.ts";
import { RetentionQueries } from "./store/retention.ts";
import { Capture, type CaptureObserver } from "./telegram/capture.ts";
import { connectAuthorized } from "./telegram/connect.ts";
import type { HandlerContext } from "./telegram/handlers/context.ts";
import { IngestQueue } from "./telegram/ingest-queue.ts";
import { resolveLogChat, telegramLogChat } from "./telegram/log-chat.ts";
import { peerInfoOf } from "./telegram/message-map.ts";
import { TelegramStatusProbe } from "./telegram/status-probe.ts";

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
  /** Resolves when the ingest queue and the outbox have nothing left to do now. */
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

interface TelegramPart {
  queue: IngestQueue<unknown>;
  sender: FeedSender;
  capture: Capture;
  probe: TelegramStatusProbe;
  startedAt: number;
  detach(): Promise<void>;
}

async function startTelegram(
  client: TelegramClient,
  owned: boolean,
  config: Config,
  store: Store,
  clock: Clock,
  log: Logger,
  observer: CaptureObserver,
): Promise<TelegramPart> {
  const tg = config.telegram!;
  const messages = new MessageStore(store.db);
  const peers = new PeerStore(store.db);
  const events = new EventStore(store.db);
  const outbox = new OutboxStore(store.db);
  const kv = new KeyValueStore(store.db);
  // GramJS's session entity list grows with duplicates on every update; peers live in SQLite.
  client.session.processEntities = () => {};

  // Dispatch needs to know who we are before updates flow (GRAMJS-NOTES: getMe first).
  const me = await client.getMe();
  const selfId = me.id.toJSNumber();
  const now = clock.now();
  const selfInfo = peerInfoOf(me, selfId);
  if (selfInfo) peers.remember(selfInfo, now);
  kv.set("self_id", String(selfId), now);

  const feed = new Feed(outbox, () => clock.now());
  const logChatTarget = tg.logChat.kind === "self" ? "self" : tg.logChat.peerId;
  const remember = (entity: Parameters<typeof peerInfoOf>[0]) => {
    const info = peerInfoOf(entity, selfId);
    if (info) peers.remember(info, clock.now());
  };
  let logChatPeer: ReturnType<typeof resolveLogChat> | undefined;
  const logChat = () => {
    logChatPeer ??= resolveLogChat(client, logChatTarget, peers, remember).catch((err: unknown) => {
      logChatPeer = undefined;
      throw err;
    });
    return logChatPeer;
  };
  const sender = new FeedSender({
    outbox,
    events,
    transport: telegramLogChat(client, logChat, log.child({ part: "feed" })),
    transaction: store.transaction,
    clock,
    config: config.feed,
    log: log.child({ part: "feed" }),
  });
  feed.onQueued = () => sender.wake();

  const ctx: HandlerContext = {
    messages,
    peers,
    events,
    feed,
    selfId,
    logChatId: tg.logChat.kind === "self" ? selfId : tg.logChat.peerId,
    ignored: config.ignoredIds,
    listenOutgoing: config.listenOutgoing,
    saveEdited: config.feed.saveEditedMessages,
    now: () => clock.now(),
    log: log.child({ part: "capture" }),
  };
  const capture = new Capture(ctx, store.transaction, observer);
  const queue = new IngestQueue<unknown>(
    (batch) => capture.processBatch(batch),
    log.child({ part: "ingest" }),
  );
  const raw = new Raw({});
  const onUpdate = (update: unknown) => queue.push(update);
  client.addEventHandler(onUpdate, raw);
  sender.start();
  const probe = new TelegramStatusProbe(client, log.child({ part: "telegram" }), () => clock.now());
  probe.start();
  log.info({ selfId, logChat: ctx.logChatId }, "telegram capture started");

  return {
    queue,
    sender,
    capture,
    probe,
    startedAt: clock.now(),
    async detach() {
      probe.stop();
      client.removeEventHandler(onUpdate, raw);
      await queue.close();
      await sender.stop();
      if (owned) await client.destroy();
    },
  };
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
  const store = openStore(config.dbFile);
  const reader = openReader(config.dbFile);
  const readOutbox = new OutboxStore(reader.db);
  const mediaUsage: { current: MediaUsage | null } = { current: null };
  // The file audit (fswatch) sets this to its per-root status when it is wired in.
  const watchStatus = null as (() => readonly WatchRootStatus[]) | null;

  let telegram: TelegramPart | undefined;
  const metrics = new Metrics({
    outboxByStatus: () => readOutbox.countByStatus(),
    outboxBacklog: () => readOutbox.summary().pending,
    ingestDepth: () => telegram?.queue.depth ?? 0,
    floodWaitSeconds: () => Math.max(0, ((telegram?.sender.floodWaitUntil ?? 0) - clock.now()) / 1000),
    lastUpdateAt: () => telegram?.capture.stats.lastUpdateAt ?? null,
    databaseBytes: () => {
      const p = reader.probe();
      return p.sizeBytes + p.walBytes;
    },
    mediaBytes: () => mediaUsage.current,
    now: () => clock.now(),
  });
  const housekeeper = new Housekeeper({
    tasks: housekeepingTasks(config, store, mediaUsage),
    events: new EventStore(store.db),
    clock,
    intervalMs: config.housekeeping.intervalSecs * 1000,
    log: log.child({ part: "housekeeping" }),
    onRun: (r) => metrics.housekeepingRun(r.status, totalCounts(r.counts)),
  });
  const parts: HealthPart[] = [
    {
      name: "telegram",
      report: (now) => {
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
    { name: "watchers", report: () => watchersReport(watchStatus?.() ?? null) },
    { name: "database", report: () => databaseReport(reader.probe()) },
  ];
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

  let http: HttpServer | undefined;
  try {
    if (config.telegram) {
      const client = options.telegram ?? (await connectAuthorized(config.telegram, log));
      telegram = await startTelegram(client, !options.telegram, config, store, clock, log, metrics);
    } else {
      log.info("no Telegram credentials configured: running without Telegram capture");
    }
    const { host, port, healthPath } = config.http;
    http = await startHttpServer({ healthPath, health, metrics: () => metrics.render() }, host, port);
    log.info({ host: http.host, port: http.port, healthPath }, "http listening");
  } catch (err) {
    await telegram?.detach();
    reader.close();
    store.close();
    throw err;
  }
  housekeeper.start();

  let stopped = false;
  const httpServer = http;
  return {
    config,
    store,
    log,
    http: { host: httpServer.host, port: httpServer.port },
    health,
    metrics,
    housekeeper,
    async idle() {
      if (!telegram) return;
      // Posts queued by the last batch wake the sender; loop until both sides are quiet together.
      for (;;) {
        await telegram.queue.idle();
        await telegram.sender.idle();
        if (telegram.queue.depth === 0) {
          await telegram.queue.idle();
          await telegram.sender.idle();
          if (telegram.queue.depth === 0) return;
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const drained = Promise.all([housekeeper.stop(), telegram?.detach()]).then(() => true);
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

/** The housekeeping steps, in order. The media work adds its buffer and vault TTL purges here. */
function housekeepingTasks(
  config: Config,
  store: Store,
  mediaUsage: { current: MediaUsage | null },
): HousekeepingTask[] {
  const queries = new RetentionQueries(store);
  return [
    messageRetentionTask(queries, config.retentionDays),
    eventsRetentionTask(queries, config.housekeeping.eventsRetentionDays, config.housekeeping.archiveDir),
    mediaUsageTask(config.mediaDir, config.vaultDir, mediaUsage),
  ];
}
