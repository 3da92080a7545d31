/**
 * The restricted-link saver: the owner sends message links in the log chat, and each linked
 * message is fetched, its media downloaded and re-uploaded with its text, as a reply to the link
 * message — so content from chats that forbid forwarding can be kept. Every link gets a reply:
 * what was saved, or why not.
 */
import { randomUUID } from "node:crypto";
import PQueue from "p-queue";
import type { Logger } from "pino";
import { Api, type TelegramClient } from "telegram";
import type { Clock } from "../clock.ts";
import type { Feed } from "../feed/feed.ts";
import { markChannel, markChat } from "../model/peer-id.ts";
import { POST_KINDS } from "../model/post.ts";
import { notSavedPost, savedMessagePost } from "../posts/saved.ts";
import type { EventStore } from "../store/events.ts";
import type { MessageRow, MessageStore } from "../store/messages.ts";
import type { PeerStore } from "../store/peers.ts";
import { untilStored } from "../store/storage-retry.ts";
import { isTransientStorageError } from "../store/transient-errors.ts";
import { inputPeerOf } from "../telegram/log-chat.ts";
import type { TelegramRequests } from "../telegram/requests.ts";
import type { LinkedPeer, MessageLink } from "./message-links.ts";

/** Stores a fetched message (forcing its media into the buffer); returns the stored row. */
export type StoreFetched = (
  message: Api.Message,
  entities: ReadonlyMap<string, Api.TypeUser | Api.TypeChat>,
) => MessageRow | undefined;

/** Everything the saver needs. */
export interface SaverDeps {
  client: TelegramClient;
  /** Every call to Telegram goes through it: a FloodWait delays the saving, it does not fail it. */
  requests: TelegramRequests;
  peers: PeerStore;
  messages: MessageStore;
  events: EventStore;
  feed: Feed;
  /** Stores a fetched message, forcing its media into the buffer. */
  store: StoreFetched;
  transaction: <T>(fn: () => T) => T;
  clock: Clock;
  log: Logger;
}

/** A linked message as fetched, with the users and chats that came with it. */
interface FetchedMessage {
  message: Api.Message;
  entities: Map<string, Api.TypeUser | Api.TypeChat>;
}

/** A link could not be followed; the message says why, in the owner's terms. */
class LinkError extends Error {}

/** Fetches linked messages one at a time and queues the replies. */
export class RestrictedSaver {
  readonly #d: SaverDeps;
  readonly #queue = new PQueue({ concurrency: 1 });
  readonly #stopping = new AbortController();

  constructor(deps: SaverDeps) {
    this.#d = deps;
  }

  /** Queues the links of a log-chat message. */
  request(requestMessageId: number, links: readonly MessageLink[]): void {
    for (const link of links) void this.#queue.add(() => this.#save(requestMessageId, link));
  }

  /** Resolves when every queued link has been handled. */
  idle(): Promise<void> {
    return this.#queue.onIdle();
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    this.#queue.clear();
    await this.#queue.onIdle();
  }

  async #save(requestMessageId: number, link: MessageLink): Promise<void> {
    const correlationId = randomUUID();
    let fetched: FetchedMessage;
    try {
      fetched = await this.#d.requests.waitingOut("saving a linked message", () => this.#fetch(link));
    } catch (err) {
      const why = err instanceof LinkError ? err.message : `Telegram said: ${(err as Error).message}`;
      return this.#notSaved(requestMessageId, link, why, correlationId);
    }
    const { message, entities } = fetched;
    try {
      await this.#stored("recording a saved message", () =>
        this.#d.transaction(() => {
          const stored = this.#d.store(message, entities);
          if (!stored) throw new LinkError("the message could not be stored");
          const peers = {
            chat: this.#d.peers.get(stored.chatId),
            sender: stored.senderId === null ? undefined : this.#d.peers.get(stored.senderId),
          };
          this.#d.feed.enqueue({
            kind: POST_KINDS.saved,
            body: savedMessagePost(stored, peers, link.raw),
            attachment: stored.media ? { type: "message-media", messageRowId: stored.id } : undefined,
            replyTo: requestMessageId,
            correlationId,
          });
          this.#record(link, "success", null, stored.chatId, correlationId);
        }),
      );
    } catch (err) {
      if (isTransientStorageError(err)) return this.#lost(link, err);
      const why =
        err instanceof LinkError ? err.message : `it could not be stored (${(err as Error).message})`;
      return this.#notSaved(requestMessageId, link, why, correlationId);
    }
  }

  /** Queues the reply saying why a link was not saved, and records it. */
  async #notSaved(requestMessageId: number, link: MessageLink, why: string, correlationId: string) {
    this.#d.log.warn({ link: link.raw, err: why }, "restricted-link saver: could not save");
    try {
      await this.#stored("recording an unsaved link", () =>
        this.#d.transaction(() => {
          this.#d.feed.enqueue({
            kind: POST_KINDS.notSaved,
            body: notSavedPost(link.raw, why),
            replyTo: requestMessageId,
            correlationId,
          });
          this.#record(link, "error", why, null, correlationId);
        }),
      );
    } catch (err) {
      this.#lost(link, err);
    }
  }

  /** The service stopped while storage was failing: nothing about this link could be written. */
  #lost(link: MessageLink, err: unknown): void {
    this.#d.log.error(
      { err, link: link.raw },
      "restricted-link saver: stopped before the link could be recorded; send the link again",
    );
  }

  /** Runs a storage step, waiting out a locked database or a full disk until the saver stops. */
  #stored<T>(what: string, step: () => T): Promise<T> {
    return untilStored(what, step, { clock: this.#d.clock, signal: this.#stopping.signal, log: this.#d.log });
  }

  #record(
    link: MessageLink,
    status: "success" | "error",
    error: string | null,
    chatId: number | null,
    correlationId: string,
  ) {
    const now = this.#d.clock.now();
    this.#d.events.record(
      {
        source: "telegram",
        type: "message.saved",
        status,
        occurredAt: now,
        chatId,
        messageId: link.messageId,
        error,
        details: { link: link.raw },
        correlationId,
      },
      now,
    );
  }

  async #inputPeer(
    peer: LinkedPeer,
  ): Promise<{ input: Api.TypeInputPeer; entities: Map<string, Api.TypeUser | Api.TypeChat> }> {
    const entities = new Map<string, Api.TypeUser | Api.TypeChat>();
    if (peer.kind === "username") {
      const resolved = await this.#d.client.invoke(
        new Api.contacts.ResolveUsername({ username: peer.username }),
      );
      for (const e of [...resolved.users, ...resolved.chats]) entities.set(String(e.id), e);
      const p = resolved.peer;
      const entity =
        p instanceof Api.PeerUser
          ? resolved.users.find((u) => u.id.equals(p.userId))
          : resolved.chats.find((c) =>
              c.id.equals(p instanceof Api.PeerChannel ? p.channelId : (p as Api.PeerChat).chatId),
            );
      if (!entity) throw new LinkError(`@${peer.username} could not be resolved`);
      return { input: await this.#d.client.getInputEntity(entity), entities };
    }
    const markedId =
      peer.kind === "channel"
        ? markChannel(peer.channelId)
        : peer.kind === "chat"
          ? markChat(peer.chatId)
          : peer.userId;
    const stored = this.#d.peers.get(markedId);
    const input = stored && inputPeerOf(stored);
    if (input) return { input, entities };
    throw new LinkError(
      "this chat is unknown to the account (join it, or open it once so the logger sees it)",
    );
  }

  async #fetch(link: MessageLink): Promise<FetchedMessage> {
    const { input, entities } = await this.#inputPeer(link.peer);
    let peer = input;
    let messageId = link.messageId;
    if (link.commentId !== undefined) {
      // A comment lives in the channel's discussion group: find that group through the post.
      const discussion = await this.#d.client.invoke(
        new Api.messages.GetDiscussionMessage({ peer, msgId: link.messageId }),
      );
      const group = discussion.chats.find((c) => c instanceof Api.Channel && c.megagroup);
      if (!(group instanceof Api.Channel)) throw new LinkError("the post has no discussion group");
      for (const c of discussion.chats) entities.set(String(c.id), c);
      peer = new Api.InputPeerChannel({ channelId: group.id, accessHash: group.accessHash! });
      messageId = link.commentId;
    }
    const [message] = await this.#d.client.getMessages(peer, { ids: [messageId] });
    if (!(message instanceof Api.Message))
      throw new LinkError("the message does not exist or is not visible to the account");
    return { message, entities };
  }
}
