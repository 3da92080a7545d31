/**
 * The pieces of the Telegram side, each built from what the ones before it made: who we are, the
 * log chat, the media buffer, the feed sender, the handlers' context, the saver. Part of the
 * composition root; telegram-part.ts builds them in order.
 */
import type { Api, TelegramClient } from "telegram";
import type { Clock } from "../clock.ts";
import type { Config, TelegramConfig } from "../config.ts";
import type { OutboxFeed } from "../feed/outbox-feed.ts";
import { FeedSender } from "../feed/sender.ts";
import type { Logger } from "../log.ts";
import { MediaBuffer } from "../media/buffer.ts";
import { configuredDeletedMediaStore } from "../media/vault/configured-store.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import { foldedMediaPost } from "../posts/deleted.ts";
import { isLogPost } from "../posts/marks.ts";
import { findMessageLinks } from "../saver/message-links.ts";
import { RestrictedSaver } from "../saver/restricted-saver.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import type { KeyValueStore } from "../store/kv.ts";
import type { MediaFileStore } from "../store/media-files.ts";
import type { MessageStore } from "../store/messages.ts";
import { OutboxStore } from "../store/outbox.ts";
import type { PeerStore } from "../store/peers.ts";
import type { HandlerContext } from "../telegram/handlers/context.ts";
import { storeRequestedMessage } from "../telegram/handlers/new-message.ts";
import { resolveLogChat, telegramLogChat } from "../telegram/log-chat.ts";
import { downloadMessageMedia } from "../telegram/media-download.ts";
import { peerInfoOf } from "../telegram/message-map.ts";
import { refetchMessage } from "../telegram/refetch.ts";
import type { TelegramRequests } from "../telegram/requests.ts";

/** What every piece of the Telegram side is built from. */
export interface TelegramWiring {
  client: TelegramClient;
  /** Every call to Telegram goes through it (its FloodWaits handled in one place). */
  requests: TelegramRequests;
  config: Config;
  telegram: TelegramConfig;
  store: Store;
  events: EventStore;
  peers: PeerStore;
  messages: MessageStore;
  mediaFiles: MediaFileStore;
  clock: Clock;
  log: Logger;
}

/**
 * Asks Telegram who we are (dispatch needs the account's id before updates flow) and remembers it:
 * the account as a peer, its id in `kv`. Returns the id.
 */
export async function rememberSelf(w: TelegramWiring, kv: KeyValueStore): Promise<number> {
  const me = await w.requests.waitingOut("asking who we are", () => w.client.getMe());
  const selfId = me.id.toJSNumber();
  const now = w.clock.now();
  const selfInfo = peerInfoOf(me, selfId);
  if (selfInfo) w.peers.remember(selfInfo, now);
  kv.set("self_id", String(selfId), now);
  return selfId;
}

/**
 * The log chat's input peer, looked up once and kept; a failed lookup is tried again at the next
 * post. Every peer met on the way is remembered.
 */
export function logChatLookup(w: TelegramWiring, selfId: number): () => Promise<Api.TypeInputPeer> {
  const target = w.telegram.logChat.kind === "self" ? "self" : w.telegram.logChat.peerId;
  const remember = (entity: Parameters<typeof peerInfoOf>[0]) => {
    const info = peerInfoOf(entity, selfId);
    if (info) w.peers.remember(info, w.clock.now());
  };
  let found: ReturnType<typeof resolveLogChat> | undefined;
  return () => {
    const lookup = () => resolveLogChat(w.client, target, w.peers, remember);
    found ??= w.requests.waitingOut("finding the log chat", lookup).catch((err: unknown) => {
      found = undefined;
      throw err;
    });
    return found;
  };
}

/** The media buffer: downloads, keeps and re-posts files; moves deleted ones into the vault. */
export function mediaBuffer(w: TelegramWiring): MediaBuffer {
  const { config } = w;
  return new MediaBuffer({
    files: w.mediaFiles,
    messages: w.messages,
    events: w.events,
    deleted: configuredDeletedMediaStore({
      vaultDir: config.vaultDir,
      tmpDir: config.mediaDir,
      encrypt: config.media.encryptDeleted,
      key: config.media.deletedMediaKey,
    }),
    download: (message, dest) =>
      w.requests.waitingOut("downloading media", () => downloadMessageMedia(w.client, message, dest)),
    refetch: (row) =>
      w.requests.waitingOut("fetching a message again", () => refetchMessage(w.client, row, w.peers)),
    mediaDir: config.mediaDir,
    policy: bufferPolicyOf(config),
    concurrency: 2,
    clock: w.clock,
    log: w.log.child({ part: "media" }),
  });
}

function bufferPolicyOf(config: Config) {
  return { bufferAll: config.media.bufferAll, maxBufferFileSize: config.media.maxBufferFileSize };
}

/** The one writer to the log chat: sends the outbox, woken by every post `feed` queues. */
export function feedSender(
  w: TelegramWiring,
  feed: OutboxFeed,
  media: MediaBuffer,
  logChat: () => Promise<Api.TypeInputPeer>,
  counters: MetricCounters,
): FeedSender {
  const log = w.log.child({ part: "feed" });
  return new FeedSender({
    outbox: new OutboxStore(w.store.db),
    events: w.events,
    media,
    foldedMediaCaption: (messageRowId) => {
      const row = w.messages.byRowId(messageRowId);
      if (!row) return undefined;
      const sender = row.senderId === null ? undefined : w.peers.get(row.senderId);
      return foldedMediaPost(row, { chat: w.peers.get(row.chatId), sender });
    },
    transport: telegramLogChat(w.client, w.requests, logChat, log),
    queued: feed,
    transaction: w.store.transaction,
    clock: w.clock,
    config: w.config.feed,
    log,
    observer: counters,
  });
}

/** What the handlers share, without the saver (which needs it to store what it fetches). */
export function handlerContext(
  w: TelegramWiring,
  feed: OutboxFeed,
  media: MediaBuffer,
  selfId: number,
): HandlerContext {
  const { config, telegram } = w;
  return {
    messages: w.messages,
    peers: w.peers,
    events: w.events,
    feed,
    mediaFiles: w.mediaFiles,
    media: {
      download: (rowId, message) => media.download(rowId, message),
      deleted: (rowId) => media.deleted(rowId),
    },
    bufferPolicy: bufferPolicyOf(config),
    selfId,
    logChatId: telegram.logChat.kind === "self" ? selfId : telegram.logChat.peerId,
    ignored: config.ignoredIds,
    listenOutgoing: config.listenOutgoing,
    saveEdited: config.feed.saveEditedMessages,
    now: () => w.clock.now(),
    log: w.log.child({ part: "capture" }),
  };
}

/**
 * The saver of restricted content, and the handlers' context that hands it what the owner writes
 * in the log chat: links in a message of the owner's are saving requests, unless the message is
 * one of the logger's own posts echoed by another device.
 */
export function withSaver(w: TelegramWiring, ctx: HandlerContext, feed: OutboxFeed) {
  const saver = new RestrictedSaver({
    client: w.client,
    requests: w.requests,
    peers: w.peers,
    messages: ctx.messages,
    events: w.events,
    feed,
    store: (message, entities) => storeRequestedMessage(ctx, message, entities),
    transaction: w.store.transaction,
    clock: w.clock,
    log: w.log.child({ part: "saver" }),
  });
  const withRequests: HandlerContext = {
    ...ctx,
    saveRequests: (message) => {
      const links = isLogPost(message.message) ? [] : findMessageLinks(message.message);
      if (links.length > 0) saver.request(message.id, links);
    },
  };
  return { saver, ctx: withRequests };
}
