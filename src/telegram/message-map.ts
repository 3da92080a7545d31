/**
 * Pure mapping from TL objects to rows: a message to a `messages` row, an entity (user, chat,
 * channel) to a `peers` row, and the chat type a message belongs to.
 */
import { Api } from "telegram";
import type { MediaInfo } from "../model/media.ts";
import type { ChatType } from "../model/message.ts";
import type { PeerInfo } from "../model/peer.ts";
import { markChannel, markChat } from "../model/peer-id.ts";
import { entitiesJson, entitiesToStored } from "./entities.ts";
import { mediaInfoOf } from "./media-map.ts";

/** The marked id of a TL peer. */
export function markedIdOfPeer(peer: Api.TypePeer): number {
  if (peer instanceof Api.PeerUser) return peer.userId.toJSNumber();
  if (peer instanceof Api.PeerChat) return markChat(peer.chatId.toJSNumber());
  return markChannel(peer.channelId.toJSNumber());
}

/** A peers row for a user, chat or channel entity; undefined for kinds we do not keep. */
export function peerInfoOf(entity: Api.TypeUser | Api.TypeChat, selfId: number | null): PeerInfo | undefined {
  if (entity instanceof Api.User) {
    const id = entity.id.toJSNumber();
    return {
      peerId: id,
      type: entity.bot ? "bot" : "user",
      accessHash: entity.accessHash && !entity.min ? entity.accessHash.toString() : null,
      username: entity.username ?? entity.usernames?.find((u) => u.active)?.username ?? null,
      name:
        [entity.firstName, entity.lastName].filter(Boolean).join(" ") ||
        (entity.deleted ? "Deleted Account" : ""),
      isSelf: Boolean(entity.self) || id === selfId,
      noforwards: false,
    };
  }
  if (entity instanceof Api.Chat || entity instanceof Api.ChatForbidden) {
    return {
      peerId: markChat(entity.id.toJSNumber()),
      type: "group",
      accessHash: null,
      username: null,
      name: entity.title,
      isSelf: false,
      noforwards: entity instanceof Api.Chat ? Boolean(entity.noforwards) : false,
    };
  }
  if (entity instanceof Api.Channel || entity instanceof Api.ChannelForbidden) {
    const isChannel = entity instanceof Api.Channel;
    return {
      peerId: markChannel(entity.id.toJSNumber()),
      type: entity.megagroup ? "supergroup" : "channel",
      accessHash: entity.accessHash && !(isChannel && entity.min) ? entity.accessHash.toString() : null,
      username: isChannel
        ? (entity.username ?? entity.usernames?.find((u) => u.active)?.username ?? null)
        : null,
      name: entity.title,
      isSelf: false,
      noforwards: isChannel ? Boolean(entity.noforwards) : false,
    };
  }
  return undefined;
}

/** What we know about the chat a message is in, looked up by the caller. */
export interface ChatFacts {
  /** The peers row type of the chat (`user`, `bot`, `group`, `supergroup`, `channel`), if known. */
  type: string | undefined;
  noforwards: boolean;
}

/** The chat type of a message, from its peer and what we know of the chat. */
export function chatTypeOf(peer: Api.TypePeer, chat: ChatFacts, selfId: number | null): ChatType {
  if (peer instanceof Api.PeerUser) {
    if (selfId !== null && peer.userId.toJSNumber() === selfId) return "self";
    return chat.type === "bot" ? "bot" : "user";
  }
  if (peer instanceof Api.PeerChat) return "group";
  return chat.type === "supergroup" ? "supergroup" : "channel";
}

/** The marked id of whoever sent a message. */
export function senderIdOf(message: Api.Message, chatId: number, selfId: number | null): number | null {
  if (message.fromId) return markedIdOfPeer(message.fromId);
  if (message.peerId instanceof Api.PeerUser) return message.out ? selfId : chatId;
  // Broadcast channels post as the channel itself.
  if (message.peerId instanceof Api.PeerChannel && !message.post) return null;
  return chatId;
}

/** The stored, comparable content of a message: text, entities and media as JSON columns. */
export interface ContentColumns {
  text: string;
  entities: string | null;
  media: string | null;
}

/** The content columns of a message. */
export function contentOf(message: Api.Message): ContentColumns & { mediaInfo: MediaInfo | undefined } {
  const mediaInfo = mediaInfoOf(message.media);
  return {
    text: message.message ?? "",
    entities: entitiesJson(entitiesToStored(message.entities)),
    media: mediaInfo ? JSON.stringify(mediaInfo) : null,
    mediaInfo,
  };
}

/** The identity of stored media JSON, for comparing versions. */
export function mediaIdentity(mediaJson: string | null): string | null {
  if (!mediaJson) return null;
  return (JSON.parse(mediaJson) as MediaInfo).identity ?? mediaJson;
}

function forwardOf(fwd: Api.MessageFwdHeader | undefined): string | null {
  if (!fwd) return null;
  return JSON.stringify({
    fromId: fwd.fromId ? markedIdOfPeer(fwd.fromId) : undefined,
    fromName: fwd.fromName,
    date: fwd.date * 1000,
    channelPost: fwd.channelPost,
    postAuthor: fwd.postAuthor,
  });
}

/** A `messages` row for a message, given its chat's marked id and type. */
export function messageRowOf(
  message: Api.Message,
  chatId: number,
  chatType: ChatType,
  chat: ChatFacts,
  selfId: number | null,
) {
  const content = contentOf(message);
  const replyTo =
    message.replyTo instanceof Api.MessageReplyHeader ? message.replyTo.replyToMsgId : undefined;
  return {
    chatId,
    messageId: message.id,
    chatType,
    senderId: senderIdOf(message, chatId, selfId),
    date: message.date * 1000,
    editDate: message.editDate ? message.editDate * 1000 : null,
    text: content.text,
    entities: content.entities,
    media: content.media,
    groupedId: message.groupedId ? message.groupedId.toString() : null,
    replyToMessageId: replyTo ?? null,
    forward: forwardOf(message.fwdFrom),
    outgoing: Boolean(message.out),
    noforwards: Boolean(message.noforwards) || chat.noforwards,
    selfDestructing: Boolean(content.mediaInfo?.ttlSeconds),
    ttlPeriod: message.ttlPeriod ?? null,
  };
}
