/**
 * The lines every post about a message starts with: who sent it (as a mention), in which chat, when,
 * and a link to open it. Users are mentioned by id and access hash, so the mention works even when
 * the user has no username; chats are linked.
 */
import type { StoredEntity } from "../model/entities.ts";
import type { TextBuilder } from "../model/formatted-text.ts";
import type { StoredMessage } from "../model/message.ts";
import type { StoredPeer } from "../model/peer.ts";
import { peerKindOf } from "../model/peer-id.ts";
import { formatUtc } from "./format.ts";
import { messageLink, peerDisplayName, peerLink } from "./links.ts";

/** The peers a post about a message mentions. */
export interface MessagePeers {
  chat: StoredPeer | undefined;
  sender: StoredPeer | undefined;
}

function mentionEntity(
  peerId: number,
  peer: StoredPeer | undefined,
): Omit<StoredEntity, "offset" | "length"> {
  if (peerKindOf(peerId) === "user") {
    return {
      _: "InputMessageEntityMentionName",
      userId: String(peerId),
      accessHash: peer?.accessHash ?? undefined,
    };
  }
  return { _: "MessageEntityTextUrl", url: peerLink(peerId, peer) };
}

/** Adds "Name (@username)" with the name as a mention or link. */
export function addPeer(out: TextBuilder, peerId: number, peer: StoredPeer | undefined): void {
  out.add(peerDisplayName(peerId, peer), mentionEntity(peerId, peer));
  if (peer?.username && peer.name) out.add(` @${peer.username}`);
}

/** The chat a message is in: "private chat with Alice", "Team (supergroup)", "Saved Messages". */
export function addChat(out: TextBuilder, row: StoredMessage, peers: MessagePeers): void {
  if (row.chatType === "user" || row.chatType === "bot") {
    out.add(row.chatType === "bot" ? "bot " : "private chat with ");
    addPeer(out, row.chatId, peers.chat);
  } else if (row.chatType === "self") {
    out.add("Saved Messages");
  } else {
    out.add(peerDisplayName(row.chatId, peers.chat), {
      _: "MessageEntityTextUrl",
      url: peerLink(row.chatId, peers.chat),
    });
    out.add(` (${row.chatType})`);
  }
}

export function addMessageHeader(out: TextBuilder, row: StoredMessage, peers: MessagePeers): void {
  if (row.senderId !== null && row.senderId !== row.chatId) {
    out.add("From: ");
    addPeer(out, row.senderId, peers.sender);
    out.add(row.outgoing ? " (you)" : "").newline();
  }
  out.add("Chat: ");
  addChat(out, row, peers);
  out.newline();
  out.add(`Sent: ${formatUtc(row.date)} · `);
  out.add("open message", {
    _: "MessageEntityTextUrl",
    url: messageLink(row.chatId, row.messageId, peers.chat),
  });
  out.newline();
}
