/**
 * What every ingest handler works with. Handlers are synchronous: they run inside the ingest
 * queue's transaction, write rows and queue posts, and never talk to Telegram themselves.
 */

import type { Logger } from "pino";
import type { Api } from "telegram";
import type { Feed } from "../../feed/feed.ts";
import type { BufferPolicy } from "../../media/policy.ts";
import type { IgnoredIds } from "../../model/peer-id.ts";
import type { MessagePeers } from "../../posts/message-header.ts";
import type { EventStore } from "../../store/events.ts";
import type { MediaFileStore } from "../../store/media-files.ts";
import type { MessageStore } from "../../store/messages.ts";
import type { PeerStore } from "../../store/peers.ts";
import { type ChatFacts, peerInfoOf } from "../message-map.ts";
import type { UpdateEntities } from "../update-kinds.ts";

/** What handlers ask of the media buffer; the work itself happens after the transaction. */
export interface MediaHooks {
  /** Download the media of a just-stored message (the live TL message has the file reference). */
  download(messageRowId: number, message: Api.Message): void;
  /** The message was deleted: keep its file in the deleted-media store. */
  deleted(messageRowId: number): void;
}

/** Shared state and stores for the handlers. */
export interface HandlerContext {
  messages: MessageStore;
  peers: PeerStore;
  events: EventStore;
  feed: Feed;
  mediaFiles: MediaFileStore;
  media: MediaHooks;
  bufferPolicy: BufferPolicy;
  /** The owner wrote in the log chat: save the messages it links to (restricted-link saver). */
  saveRequests?: (message: Api.Message) => void;
  selfId: number;
  /** Marked id of the log chat: never logged. */
  logChatId: number;
  ignored: IgnoredIds;
  listenOutgoing: boolean;
  saveEdited: boolean;
  now: () => number;
  log: Logger;
}

/** Stores every user and chat that came with an update (cheap when they are unchanged). */
export function rememberEntities(
  ctx: HandlerContext,
  entities: UpdateEntities | undefined,
  now: number,
): void {
  if (!entities) return;
  for (const entity of entities.values()) {
    const info = peerInfoOf(entity, ctx.selfId);
    if (info) ctx.peers.remember(info, now);
  }
}

/** What we know of a chat: from the update's own entities first, then the peers table. */
export function chatFactsOf(ctx: HandlerContext, chatId: number): ChatFacts {
  const row = ctx.peers.get(chatId);
  return { type: row?.type, noforwards: row?.noforwards ?? false };
}

/** The peers a post about a message names. */
export function peersOf(ctx: HandlerContext, chatId: number, senderId: number | null): MessagePeers {
  return { chat: ctx.peers.get(chatId), sender: senderId === null ? undefined : ctx.peers.get(senderId) };
}

/** Whether a message must not be logged: the log chat itself, or an ignored chat or sender. */
export function isExcluded(ctx: HandlerContext, chatId: number, senderId: number | null): boolean {
  return chatId === ctx.logChatId || ctx.ignored.has(chatId) || ctx.ignored.has(senderId);
}

/** A short name for the chat of a message, for folded summaries. */
export function chatTopic(ctx: HandlerContext, chatId: number): string {
  const row = ctx.peers.get(chatId);
  return row?.name || (row?.username ? `@${row.username}` : String(chatId));
}
