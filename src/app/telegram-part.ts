/**
 * The Telegram side of a running app: the stores it writes, the media buffer, the restricted-content
 * saver, catch-up, capture and the feed sender, started in the order updates need them and stopped
 * in the order that lets work in flight finish. Part of the composition root.
 */
import type { Api, TelegramClient } from "telegram";
import { _handleUpdate } from "telegram/client/updates.js";
import { Raw } from "telegram/events/index.js";
import type { Clock } from "../clock.ts";
import { type Config, ConfigError, type TelegramConfig } from "../config.ts";
import type { OutboxFeed } from "../feed/outbox-feed.ts";
import type { FeedSender } from "../feed/sender.ts";
import type { Logger } from "../log.ts";
import type { MediaBuffer } from "../media/buffer.ts";
import type { MetricCounters } from "../metrics/counters.ts";
import type { RestrictedSaver } from "../saver/restricted-saver.ts";
import type { Store } from "../store/db.ts";
import type { EventStore } from "../store/events.ts";
import { KeyValueStore } from "../store/kv.ts";
import { MediaFileStore } from "../store/media-files.ts";
import { MessageStore } from "../store/messages.ts";
import { PeerStore } from "../store/peers.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";
import { Capture } from "../telegram/capture.ts";
import { CatchUp } from "../telegram/catch-up.ts";
import { IngestQueue } from "../telegram/ingest-queue.ts";
import { LogChatUnreachable } from "../telegram/log-chat.ts";
import { TelegramRequests } from "../telegram/requests.ts";
import { TelegramStatusProbe } from "../telegram/status-probe.ts";
import { telethonUpdateState } from "../telegram/telethon-session.ts";
import { updateWeight } from "../telegram/update-kinds.ts";
import {
  feedSender,
  handlerContext,
  logChatLookup,
  mediaBuffer,
  rememberSelf,
  type TelegramWiring,
  withSaver,
} from "./telegram-wiring.ts";

/** What the Telegram side is built from. */
export interface TelegramPartOptions {
  /** Connected and authorized; the caller destroys it after `detach()`. */
  client: TelegramClient;
  config: Config;
  telegram: TelegramConfig;
  store: Store;
  events: EventStore;
  feed: OutboxFeed;
  clock: Clock;
  log: Logger;
  counters: MetricCounters;
}

/** What health and metrics read of the Telegram side, at the moment of asking. */
export interface TelegramStatus {
  startedAt: number;
  connected: boolean;
  /** From the last authorization probe; null before the first answer. */
  authorized: boolean | null;
  /** Since when Telegram has been disconnected or unauthorized (null when fine). */
  badSince: number | null;
  lastUpdateAt: number | null;
  /** Updates waiting in the ingest queue. */
  queueDepth: number;
  /** Until when Telegram asked the sender to wait (0 when not waiting). */
  floodWaitUntil: number;
  lastSentAt: number | null;
}

/** The running Telegram side. */
export interface TelegramPart {
  status(): TelegramStatus;
  /** Resolves when capture, catch-up, saver, media and sender are quiet together. */
  idle(): Promise<void>;
  /** Stops intake, lets work in flight finish and saves the update state reached. */
  detach(): Promise<void>;
}

/** Builds and starts the Telegram side. */
export async function startTelegram(o: TelegramPartOptions): Promise<TelegramPart> {
  const { client, clock, log } = o;
  // GramJS's session entity list grows with duplicates on every update; peers live in SQLite.
  client.session.processEntities = () => {};
  // Every call to Telegram goes through one gate that handles FloodWait (requests.ts).
  const requests = new TelegramRequests({ clock, log: log.child({ part: "telegram" }) });
  const w: TelegramWiring = {
    ...o,
    requests,
    peers: new PeerStore(o.store.db),
    messages: new MessageStore(o.store.db),
    mediaFiles: new MediaFileStore(o.store.db),
  };
  const kv = new KeyValueStore(o.store.db);
  const selfId = await rememberSelf(w, kv);
  const logChat = logChatLookup(w, selfId);
  const media = mediaBuffer(w);
  const sender = feedSender(w, o.feed, media, logChat, o.counters);
  const { saver, ctx } = withSaver(w, handlerContext(w, o.feed, media, selfId), o.feed);
  const catchUp = new CatchUp({
    client,
    requests,
    // GramJS's own entry for server pushes; its type says Update, but containers are what it takes.
    dispatch: (container) => _handleUpdate(client, container as unknown as Api.TypeUpdate),
    kv,
    peers: w.peers,
    events: o.events,
    clock,
    log: log.child({ part: "catch-up" }),
    pollMs: o.config.catchUpPollSecs * 1000,
    gapWaitMs: o.config.catchUpGapWaitMs,
    importedState: () => telethonUpdateState(o.telegram.telethonSessionFile),
  });
  const capture = new Capture({
    ctx,
    transaction: o.store.transaction,
    observer: o.counters,
    hooks: { handled: (update) => catchUp.observe(update), batchDone: () => catchUp.persist() },
  });
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
  const probe = new TelegramStatusProbe(client, requests, log.child({ part: "telegram" }), () => clock.now());
  probe.start();
  const startedAt = clock.now();
  log.info({ selfId, logChat: ctx.logChatId }, "telegram capture started");

  return runningPart({
    client,
    requests,
    onUpdate,
    raw,
    catchUp,
    probe,
    queue,
    capture,
    saver,
    media,
    sender,
    startedAt,
    log,
  });
}

/** The pieces of a started Telegram side that idling, stopping and status need. */
interface Started {
  client: TelegramClient;
  requests: TelegramRequests;
  onUpdate: (update: unknown) => void;
  raw: Raw;
  catchUp: CatchUp;
  probe: TelegramStatusProbe;
  queue: IngestQueue<unknown>;
  capture: Capture;
  saver: RestrictedSaver;
  media: MediaBuffer;
  sender: FeedSender;
  startedAt: number;
  log: Logger;
}

/** The running part over what `startTelegram` started. */
function runningPart(p: Started): TelegramPart {
  const { catchUp, queue, saver, media, sender, probe, log } = p;
  /** Every part quiet at once: posts queued by the last batch wake the sender, so loop until both sides are. */
  const settle = async () => {
    await catchUp.idle();
    await queue.idle();
    await saver.idle();
    await media.idle();
    await sender.idle();
  };
  return {
    status: () => ({
      startedAt: p.startedAt,
      connected: probe.connected,
      authorized: probe.authorized,
      badSince: probe.badSince,
      lastUpdateAt: p.capture.stats.lastUpdateAt,
      queueDepth: queue.depth,
      floodWaitUntil: sender.floodWaitUntil,
      lastSentAt: sender.lastSentAt,
    }),
    async idle() {
      for (;;) {
        await settle();
        if (queue.depth === 0) {
          await settle();
          if (queue.depth === 0) return;
        }
      }
    },
    async detach() {
      // Waits on FloodWaits end now: what waited is fetched again at the next start.
      p.requests.stop();
      await catchUp.stop();
      probe.stop();
      p.client.removeEventHandler(p.onUpdate, p.raw);
      const notStored = await queue.close();
      try {
        // Everything handled is committed: save the update state it reached, unless updates were
        // given up (the saved state must stay before them so the next start fetches them again).
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
        for (const stop of [() => saver.stop(), () => media.stop(), () => sender.stop()]) {
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
