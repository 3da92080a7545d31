/**
 * Links to chats and messages, as the log posts show them. Channels and supergroups have real
 * message links (`t.me/name/ID` when public, `t.me/c/ID/MSG` otherwise); private chats and basic
 * groups only have client deep links, which the official apps open.
 */

import type { StoredPeer } from "../model/peer.ts";
import { bareIdOf, peerKindOf } from "../model/peer-id.ts";

/** A link to message `messageId` in the chat with marked id `chatId`. */
export function messageLink(chatId: number, messageId: number, chat: StoredPeer | undefined): string {
  const kind = peerKindOf(chatId);
  if (kind === "channel") {
    if (chat?.username) return `https://t.me/${chat.username}/${messageId}`;
    return `https://t.me/c/${bareIdOf(chatId)}/${messageId}`;
  }
  if (kind === "user") return `tg://openmessage?user_id=${chatId}&message_id=${messageId}`;
  return `tg://openmessage?chat_id=${bareIdOf(chatId)}&message_id=${messageId}`;
}

/** A link that opens a peer's profile or chat. */
export function peerLink(peerId: number, peer: StoredPeer | undefined): string {
  if (peer?.username) return `https://t.me/${peer.username}`;
  const kind = peerKindOf(peerId);
  if (kind === "user") return `tg://user?id=${peerId}`;
  if (kind === "channel") return `https://t.me/c/${bareIdOf(peerId)}`;
  return `tg://openmessage?chat_id=${bareIdOf(peerId)}`;
}

/** How a peer is named in posts: its name, else @username, else its id. */
export function peerDisplayName(peerId: number, peer: StoredPeer | undefined): string {
  if (peer?.name) return peer.name;
  if (peer?.username) return `@${peer.username}`;
  return String(peerId);
}
