/**
 * The posts about a deleted message: the full post (who, where, when, a link, then the text as it
 * was) and the short caption its file gets when it follows a folded burst.
 */
import type { DeletionKind } from "../model/deletion.ts";
import { parseEntities } from "../model/entities.ts";
import { type FormattedText, TextBuilder } from "../model/formatted-text.ts";
import type { StoredMessage } from "../model/message.ts";
import { formatDuration, formatUtc } from "./format.ts";
import { messageLink } from "./links.ts";
import { BOLD, ITALIC, MARK } from "./marks.ts";
import { addChat, addMessageHeader, addPeer, type MessagePeers } from "./message-header.ts";

function deletionTitle(kind: DeletionKind): string {
  if (kind === "auto_delete") return `${MARK.autoDelete} Message removed by the auto-delete timer`;
  if (kind === "own") return `${MARK.deleted} Your own message was deleted`;
  return `${MARK.deleted} Message deleted`;
}

/** The post for one deleted message: who, where, when, a link, then the text as it was. */
export function deletedMessagePost(
  row: StoredMessage,
  peers: MessagePeers,
  kind: DeletionKind,
  mediaNote: string | null,
): FormattedText {
  const out = new TextBuilder();
  out.add(deletionTitle(kind), BOLD).newline();
  addMessageHeader(out, row, peers);
  if (row.ttlPeriod) out.add(`Auto-delete timer: ${formatDuration(row.ttlPeriod)}`, ITALIC).newline();
  if (row.revisionCount > 0) out.add(`Edited ${row.revisionCount}× before deletion`, ITALIC).newline();
  if (mediaNote) out.add(mediaNote, ITALIC).newline();
  if (row.text.length > 0) {
    out.newline().add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}

/**
 * The caption of a deleted message's media posted after a folded burst: a short line saying which
 * message it was (chat, sender, message id as a link, date), then the recovered text. The full
 * post is in the burst's listing; this one only has to be recognised next to its file.
 */
export function foldedMediaPost(row: StoredMessage, peers: MessagePeers): FormattedText {
  const kind = (row.deletionKind ?? "deleted") as DeletionKind;
  const title =
    kind === "auto_delete"
      ? `${MARK.autoDelete} Media of a message removed by the auto-delete timer`
      : kind === "own"
        ? `${MARK.deleted} Media of your own deleted message`
        : `${MARK.deleted} Media of a deleted message`;
  const out = new TextBuilder();
  out.add(title, BOLD).newline();
  addChat(out, row, peers);
  if (row.senderId !== null && row.senderId !== row.chatId) {
    out.add(" · from ");
    addPeer(out, row.senderId, peers.sender);
  }
  out.add(" · ");
  out.add(`message ${row.messageId}`, {
    _: "MessageEntityTextUrl",
    url: messageLink(row.chatId, row.messageId, peers.chat),
  });
  out.add(` · sent ${formatUtc(row.date)}`);
  if (row.text.length > 0) {
    out.newline().add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}
