/**
 * The composition root: the only place that knows every part. `startApp` opens the store, wires
 * Telegram capture to the ingest queue and the feed sender to the log chat, and returns an `App`
 * that tests and `main.ts` drive with `idle()` and `stop()`.
 */
import type { Api, TelegramClient } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import { type Clock, systemClock } from "./clock.ts";
import { type Config, ConfigError } from "./config.ts";
import { Feed } from "./feed/feed.ts";
import { FeedSender } from "./feed/sender.ts";
import { readWatchConfig, watchConfigFile } from "./fswatch/config-file.ts";
import type { DigestPost } from "./fswatch/digest.ts";
import { FileAudit } from "./fswatch/file-audit.ts";
import type { ReconcileOutcome } from "./fswatch/reconcile.ts";
import type { RootConfig } from "./fswatch/watch-config.ts";
import { createLogger, type Logger } from "./log.ts";
import { MediaBuffer } from "./media/buffer.ts";
import { plaintextDeletedMediaStore } from "./media/deleted-media-store.ts";
import { encryptedDeletedMediaStore } from "./media/vault/encrypted-store.ts";
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
import { Capture } from "./telegram/capture.ts";
import { CatchUp } from "./telegram/catch-up.ts";
import { connectAuthorized } from "./telegram/connect.ts";
import type { HandlerContext } from "./telegram/handlers/context.ts";
import { storeRequestedMessage } from "./telegram/handlers/new-message.ts";
import { IngestQueue } from "./telegram/ingest-queue.ts";
import { resolveLogChat, telegramLogChat } from "./telegram/log-chat.ts";
import { downloadMessageMedia } from "./telegram/media-download.ts";
import { peerInfoOf } from "./telegram/message-map.ts";
import { refetchMessage } from "./telegram/refetch.ts";

/** What `startApp` takes. Only `config` is required. */
export interface StartOptions {
  config: Config;
  /** An already-built client (tests pass an offline one); otherwise one is connected from the saved session. */
  telegram?: TelegramClient;
  clock?: Clock;
  logger?: Logger;
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
  /** Stops intake, lets work in flight finish, closes the database. */
  stop(): Promise<void>;
}

interface TelegramPart {
  queue: IngestQueue<unknown>;
  catchUp: CatchUp;
  saver: RestrictedSaver;
  media: MediaBuffer;
  sender: FeedSender;
  capture: Capture;
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
  const capture = new Capture(ctx, store.transaction);
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
  log.info({ selfId, logChat: ctx.logChatId }, "telegram capture started");

  return {
    queue,
    catchUp,
    saver,
    media,
    sender,
    capture,
    async detach() {
      await catchUp.stop();
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
): Promise<FileAuditPart> {
  const config = readWatchConfig(file);
  const audit = new FileAudit({
    events: new EventStore(store.db),
    fileState: new FileStateStore(store.db),
    transaction: store.transaction,
    now: () => clock.now(),
    log: log.child({ part: "fswatch" }),
    digest: digestToFeed(feed),
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
  const log = options.logger ?? createLogger({ level: config.logLevel });
  for (const dir of [config.dataRoot, config.mediaDir, config.vaultDir]) ensurePrivateDir(dir);
  const store = openStore(config.dbFile);

  // Posts queued without Telegram (file-audit digests) wait in the outbox for a sender.
  const feed = new Feed(new OutboxStore(store.db), () => clock.now());
  let telegram: TelegramPart | undefined;
  let files: FileAuditPart | undefined;
  try {
    if (config.telegram) {
      const client = options.telegram ?? (await connectAuthorized(config.telegram, log));
      telegram = await startTelegram(client, !options.telegram, config, store, feed, clock, log);
    } else {
      log.info(
        config.watchConfigFile
          ? "no Telegram credentials configured: running the file audit alone"
          : "no Telegram credentials configured: running without Telegram capture",
      );
    }
    if (config.watchConfigFile) files = await startFileAudit(config.watchConfigFile, store, feed, clock, log);
  } catch (err) {
    await files?.stop();
    await telegram?.detach();
    store.close();
    throw err;
  }

  let stopped = false;
  return {
    config,
    store,
    log,
    fileAudit: files?.audit,
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
      await files?.stop();
      await telegram?.detach();
      store.close();
      log.info("stopped");
    },
  };
}
