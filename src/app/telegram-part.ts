/**
 * Wiring of the Telegram side: the stores it writes, the media buffer, the restricted-content
 * saver, catch-up, capture and the feed sender, started in the order updates need them and stopped
 * in the order that lets work in flight finish. Part of the composition root; only `src/app.ts`
 * uses it.
 */
import type { Api, TelegramClient } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import type { Clock } from "../clock.ts";
import { type Config, ConfigError } from "../config.ts";
import type { OutboxFeed } from "../feed/outbox-feed.ts";
import { type FeedObserver, FeedSender } from "../feed/sender.ts";
import type { Logger } from "../log.ts";
import { MediaBuffer } from "../media/buffer.ts";
import { configuredDeletedMediaStore } from "../media/vault/configured-store.ts";
import { foldedMediaPost } from "../posts/deleted.ts";
import { isLogPost } from "../posts/marks.ts";
import { findMessageLinks } from "../saver/message-links.ts";
import { RestrictedSaver } from "../saver/restricted-saver.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import { KeyValueStore } from "../store/kv.ts";
import { MediaFileStore } from "../store/media-files.ts";
import { MessageStore } from "../store/messages.ts";
import { OutboxStore } from "../store/outbox.ts";
import { PeerStore } from "../store/peers.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";
import { Capture, type CaptureObserver } from "../telegram/capture.ts";
import { CatchUp } from "../telegram/catch-up.ts";
import type { HandlerContext } from "../telegram/handlers/context.ts";
import { storeRequestedMessage } from "../telegram/handlers/new-message.ts";
import { IngestQueue } from "../telegram/ingest-queue.ts";
import { LogChatUnreachable, resolveLogChat, telegramLogChat } from "../telegram/log-chat.ts";
import { downloadMessageMedia } from "../telegram/media-download.ts";
import { peerInfoOf } from "../telegram/message-map.ts";
import { refetchMessage } from "../telegram/refetch.ts";
import { TelegramStatusProbe } from "../telegram/status-probe.ts";
import { telethonUpdateState } from "../telegram/telethon-session.ts";
import { updateWeight } from "../telegram/update-kinds.ts";

/** The running Telegram side, as `App.idle()`, `App.stop()`, health and metrics need to see it. */
export interface TelegramPart {
  queue: IngestQueue<unknown>;
  catchUp: CatchUp;
  saver: RestrictedSaver;
  media: MediaBuffer;
  sender: FeedSender;
  capture: Capture;
  probe: TelegramStatusProbe;
  startedAt: number;
  /** Resolves when capture, catch-up, saver, media and sender are quiet together. */
  idle(): Promise<void>;
  detach(): Promise<void>;
}

/**
 * Builds and starts the Telegram side on `client`; `owned` says whether stopping it also destroys
 * the client (it does not when a test passed its own). `events` is the app's one event store.
 */
export async function startTelegram(
  client: TelegramClient,
  owned: boolean,
  config: Config,
  store: Store,
  events: EventStore,
  feed: OutboxFeed,
  clock: Clock,
  log: Logger,
  observer: CaptureObserver & FeedObserver,
): Promise<TelegramPart> {
  const tg = config.telegram!;
  const messages = new MessageStore(store.db);
  const peers = new PeerStore(store.db);
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
    deleted: configuredDeletedMediaStore({
      vaultDir: config.vaultDir,
      tmpDir: config.mediaDir,
      encrypt: config.media.encryptDeleted,
      key: config.media.deletedMediaKey,
    }),
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
    foldedMediaCaption: (messageRowId) => {
      const row = messages.byRowId(messageRowId);
      if (!row) return undefined;
      const sender = row.senderId === null ? undefined : peers.get(row.senderId);
      return foldedMediaPost(row, { chat: peers.get(row.chatId), sender });
    },
    transport: telegramLogChat(client, logChat, log.child({ part: "feed" })),
    queued: feed,
    transaction: store.transaction,
    clock,
    config: config.feed,
    log: log.child({ part: "feed" }),
    observer,
  });

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
    clock,
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
    importedState: () => telethonUpdateState(tg.telethonSessionFile),
  });
  capture.hooks = { handled: (update) => catchUp.observe(update), batchDone: () => catchUp.persist() };
  const queue = new IngestQueue<unknown>(
    (batch) => capture.processBatch(batch),
    log.child({ part: "ingest" }),
    {
      maxWeight: 512,
      weigh: updateWeight,
      retryable: isTransientStorageError,
    },
  );
  const raw = new Raw({});
  const onUpdate = (update: unknown) => queue.push(update);
  client.addEventHandler(onUpdate, raw);
  catchUp.start();
  media.resume();
  await checkLogChat(logChat, log);
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
    async idle() {
      // Posts queued by the last batch wake the sender; loop until both sides are quiet together.
      const settle = async () => {
        await catchUp.idle();
        await queue.idle();
        await saver.idle();
        await media.idle();
        await sender.idle();
      };
      for (;;) {
        await settle();
        if (queue.depth === 0) {
          await settle();
          if (queue.depth === 0) return;
        }
      }
    },
    async detach() {
      await catchUp.stop();
      probe.stop();
      client.removeEventHandler(onUpdate, raw);
      const notStored = await queue.close();
      // Everything handled is committed: save the update state it reached (unless updates were
      // given up: the saved state must stay before them so the next start fetches them again).
      try {
        if (notStored === 0) catchUp.persist(true);
      } catch (err) {
        // Locked or full at the last moment: an older saved state only means some updates are
        // fetched again at the next start.
        if (!isTransientStorageError(err)) throw err;
        log.warn(
          { err },
          "the catch-up state could not be saved; the next start fetches those updates again",
        );
      } finally {
        // Whatever happened above, every part stops (the saver says which link was not recorded),
        // each even when the one before it fails to.
        const stops = [() => saver.stop(), () => media.stop(), () => sender.stop()];
        if (owned) stops.push(() => client.destroy());
        for (const stop of stops) {
          try {
            await stop();
          } catch (err) {
            log.error({ err }, "a Telegram part failed to stop");
          }
        }
      }
    },
  };
}

/**
 * Finds the log chat once at start: a log chat the account cannot reach is a configuration mistake
 * (exit 78), not something to retry for ever. Other failures (network) only delay the first post.
 */
async function checkLogChat(logChat: () => Promise<unknown>, log: Logger): Promise<void> {
  try {
    await logChat();
  } catch (err) {
    if (err instanceof LogChatUnreachable) {
      throw new ConfigError("LOG_CHAT_ID", `${err.message}; add the account to that chat, or use "me"`);
    }
    log.warn({ err: (err as Error).message }, "the log chat could not be looked up yet; posts wait for it");
  }
}
