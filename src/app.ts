/**
 * The composition root: the only place that knows every part. `startApp` opens the store, wires
 * Telegram capture to the ingest queue and the feed sender to the log chat, and returns an `App`
 * that tests and `main.ts` drive with `idle()` and `stop()`.
 */
import type { Api, TelegramClient } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import { type Clock, systemClock } from "./clock.ts";
import { type Config, ConfigError, secretValues } from "./config.ts";
import { Feed } from "./feed/feed.ts";
import { FeedSender } from "./feed/sender.ts";
import { readWatchConfig, watchConfigFile } from "./fswatch/config-file.ts";
import type { DigestPost } from "./fswatch/digest.ts";
import { FileAudit } from "./fswatch/file-audit.ts";
import type { ReconcileOutcome } from "./fswatch/reconcile.ts";
import type { RootStatus } from "./fswatch/root-auditor.ts";
import type { RootConfig } from "./fswatch/watch-config.ts";
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
import { MediaBuffer } from "./media/buffer.ts";
import { plaintextDeletedMediaStore } from "./media/deleted-media-store.ts";
import { mediaBufferPurgeTask, vaultPurgeTask } from "./media/purge-tasks.ts";
import { encryptedDeletedMediaStore } from "./media/vault/encrypted-store.ts";
import { Metrics } from "./metrics/metrics.ts";
import { findMessageLinks } from "./saver/message-links.ts";
import { isLogPost, RestrictedSaver } from "./saver/restricted-saver.ts";
import { ensurePrivateDir, openStore, type Store } from "./store/db.ts";
import { EventStore } from "./store/events.ts";
import { FileStateStore } from "./store/file-state.ts";
import { KeyValueStore } from "./store/kv.ts";
import { MediaFileStore } from "./store/media-files.ts";
import { MessageStore } from "./store/messages.ts";
import { OutboxStore } from "./store/outbox.ts";
import { PeerStore } from "./store/peers.ts";
import { openReader } from "./store/reader.ts";
import { RetentionQueries } from "./store/retention.ts";
import { Capture, type CaptureObserver } from "./telegram/capture.ts";
import { CatchUp } from "./telegram/catch-up.ts";
import { connectAuthorized } from "./telegram/connect.ts";
import type { HandlerContext } from "./telegram/handlers/context.ts";
import { storeRequestedMessage } from "./telegram/handlers/new-message.ts";
import { IngestQueue } from "./telegram/ingest-queue.ts";
import { resolveLogChat, telegramLogChat } from "./telegram/log-chat.ts";
import { downloadMessageMedia } from "./telegram/media-download.ts";
import { peerInfoOf } from "./telegram/message-map.ts";
import { refetchMessage } from "./telegram/refetch.ts";
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

interface TelegramPart {
  queue: IngestQueue<unknown>;
  catchUp: CatchUp;
  saver: RestrictedSaver;
  media: MediaBuffer;
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
  feed: Feed,
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
  const mediaFiles = new MediaFileStore(store.db);
  const bufferPolicy = {
    bufferAll: config.media.bufferAll,
    maxBufferFileSize: config.media.maxBufferFileSize,
  };
  const media = new MediaBuffer({
    files: mediaFiles,
    messages,
    events,
    deleted:
      config.media.encryptDeleted && config.media.deletedMediaKey
        ? encryptedDeletedMediaStore(config.vaultDir, config.media.deletedMediaKey, config.mediaDir)
        : plaintextDeletedMediaStore(config.vaultDir),
    download: (message, dest) => downloadMessageMedia(client, message, dest),
    refetch: (row) => refetchMessage(client, row, peers),
    mediaDir: config.mediaDir,
    policy: bufferPolicy,
    concurrency: 2,
    clock,
    log: log.child({ part: "media" }),
  });
  const sender = new FeedSender({
    outbox,
    events,
    media,
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
    mediaFiles,
    media: {
      download: (rowId, message) => media.download(rowId, message),
      deleted: (rowId) => media.deleted(rowId),
    },
    bufferPolicy,
    selfId,
    logChatId: tg.logChat.kind === "self" ? selfId : tg.logChat.peerId,
    ignored: config.ignoredIds,
    listenOutgoing: config.listenOutgoing,
    saveEdited: config.feed.saveEditedMessages,
    now: () => clock.now(),
    log: log.child({ part: "capture" }),
  };
  const saver = new RestrictedSaver({
    client,
    peers,
    messages,
    events,
    feed,
    store: (message, entities) => storeRequestedMessage(ctx, message, entities),
    transaction: store.transaction,
    now: () => clock.now(),
    log: log.child({ part: "saver" }),
  });
  ctx.saveRequests = (message) => {
    const links = isLogPost(message.message) ? [] : findMessageLinks(message.message);
    if (links.length > 0) saver.request(message.id, links);
  };
  const capture = new Capture(ctx, store.transaction, observer);
  const catchUp = new CatchUp({
    client,
    // GramJS's own entry for server pushes; its type says Update, but containers are what it takes.
    dispatch: (container) => _handleUpdate(client, container as unknown as Api.TypeUpdate),
    kv,
    peers,
    events,
    clock,
    log: log.child({ part: "catch-up" }),
    pollMs: config.catchUpPollSecs * 1000,
    gapWaitMs: config.catchUpGapWaitMs,
  });
  capture.hooks = { handled: (update) => catchUp.observe(update), batchDone: () => catchUp.persist() };
  const queue = new IngestQueue<unknown>(
    (batch) => capture.processBatch(batch),
    log.child({ part: "ingest" }),
  );
  const raw = new Raw({});
  const onUpdate = (update: unknown) => queue.push(update);
  client.addEventHandler(onUpdate, raw);
  catchUp.start();
  media.resume();
  sender.start();
  const probe = new TelegramStatusProbe(client, log.child({ part: "telegram" }), () => clock.now());
  probe.start();
  log.info({ selfId, logChat: ctx.logChatId }, "telegram capture started");

  return {
    queue,
    catchUp,
    saver,
    media,
    sender,
    capture,
    probe,
    startedAt: clock.now(),
    async detach() {
      await catchUp.stop();
      probe.stop();
      client.removeEventHandler(onUpdate, raw);
      await queue.close();
      await saver.stop();
      await media.stop();
      await sender.stop();
      if (owned) await client.destroy();
    },
  };
}

interface FileAuditPart {
  audit: FileAudit;
  stop(): Promise<void>;
}

/** Starts the file audit from the watch-config file and follows edits of that file. */
async function startFileAudit(
  file: string,
  store: Store,
  feed: Feed,
  clock: Clock,
  log: Logger,
  onChange: (type: string, root: string) => void,
): Promise<FileAuditPart> {
  const config = readWatchConfig(file);
  const audit = new FileAudit({
    events: new EventStore(store.db),
    fileState: new FileStateStore(store.db),
    transaction: store.transaction,
    now: () => clock.now(),
    log: log.child({ part: "fswatch" }),
    digest: digestToFeed(feed),
    onChange,
  });
  await audit.apply(config);
  const reload = () => {
    try {
      void audit.apply(readWatchConfig(file));
    } catch (err) {
      audit.rejectEdit((err as Error).message);
    }
  };
  const configWatcher = watchConfigFile(file, reload);
  log.info({ roots: config.directories.length, file }, "file audit started");
  return {
    audit,
    async stop() {
      await configWatcher.close();
      await audit.stop();
    },
  };
}

/** A watched root as health reports it: an offline root is a failed part (issue 4). */
function watchRootHealth(r: RootStatus): WatchRootStatus {
  if (r.state === "offline" || r.state === "stopped") {
    return { root: r.root, state: "failed", error: `offline${r.lastError ? `: ${r.lastError}` : ""}` };
  }
  if (r.state === "starting") return { root: r.root, state: "starting" };
  return {
    root: r.root,
    state: "ready",
    ...(r.state === "fallback" ? { error: "watch limit reached; scheduled scans" } : {}),
  };
}

/** Queues a file-audit digest as a log-chat post (a long listing travels as an attached text file). */
function digestToFeed(feed: Feed): (project: string, post: DigestPost) => void {
  return (project, post) =>
    feed.enqueue({
      kind: "files.digest",
      body: { text: post.text, entities: [] },
      topic: project,
      attachment: post.attachment ? { type: "text", ...post.attachment } : undefined,
    });
}

/**
 * One reconcile pass of every watched folder, then closes the store (`telegram-logger scan`).
 * Throws `ConfigError` when there is no valid watch config.
 */
export async function scanOnce(
  config: Config,
  log: Logger,
  onRoot?: (cfg: RootConfig, outcome: ReconcileOutcome) => void,
  onProgress?: (cfg: RootConfig, filesSeen: number) => void,
): Promise<ReconcileOutcome[]> {
  if (!config.watchConfigFile)
    throw new ConfigError("WATCH_CONFIG", "is required for scan (the watch-config file)");
  const watchConfig = readWatchConfig(config.watchConfigFile);
  for (const dir of [config.dataRoot]) ensurePrivateDir(dir);
  const store = openStore(config.dbFile);
  try {
    const feed = new Feed(new OutboxStore(store.db), () => Date.now());
    const audit = new FileAudit({
      events: new EventStore(store.db),
      fileState: new FileStateStore(store.db),
      transaction: store.transaction,
      now: () => Date.now(),
      log,
      digest: digestToFeed(feed),
    });
    return await audit.scanOnce(watchConfig, onRoot, onProgress);
  } finally {
    store.close();
  }
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
  let telegram: TelegramPart | undefined;
  let files: FileAuditPart | undefined;
  const readOutbox = new OutboxStore(reader.db);
  const mediaUsage: { current: MediaUsage | null } = { current: null };
  const watchStatus = (): readonly WatchRootStatus[] | null =>
    files ? files.audit.status().map(watchRootHealth) : null;

  // Posts queued without Telegram (file-audit digests) wait in the outbox for a sender.
  const feed = new Feed(new OutboxStore(store.db), () => clock.now());
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
    { name: "watchers", report: () => watchersReport(watchStatus()) },
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
      telegram = await startTelegram(client, !options.telegram, config, store, feed, clock, log, metrics);
    } else {
      log.info(
        config.watchConfigFile
          ? "no Telegram credentials configured: running the file audit alone"
          : "no Telegram credentials configured: running without Telegram capture",
      );
    }
    if (config.watchConfigFile) {
      const onChange = (type: string, root: string) => metrics.fileEvent(type, root);
      files = await startFileAudit(config.watchConfigFile, store, feed, clock, log, onChange);
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
      if (!telegram) return;
      // Posts queued by the last batch wake the sender; loop until both sides are quiet together.
      const settle = async () => {
        await telegram!.catchUp.idle();
        await telegram!.queue.idle();
        await telegram!.saver.idle();
        await telegram!.media.idle();
        await telegram!.sender.idle();
      };
      for (;;) {
        await settle();
        if (telegram.queue.depth === 0) {
          await settle();
          if (telegram.queue.depth === 0) return;
        }
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      const drained = Promise.all([housekeeper.stop(), files?.stop(), telegram?.detach()]).then(() => true);
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
  const mediaFiles = new MediaFileStore(store.db);
  return [
    messageRetentionTask(queries, config.retentionDays),
    eventsRetentionTask(queries, config.housekeeping.eventsRetentionDays, config.housekeeping.archiveDir),
    mediaBufferPurgeTask(mediaFiles, config.mediaDir, config.media.bufferTtlHours),
    vaultPurgeTask(mediaFiles, config.vaultDir, config.media.deletedTtlDays),
    mediaUsageTask(config.mediaDir, config.vaultDir, mediaUsage),
  ];
}
