/**
 * The posts the log chat receives, built from stored rows. Pure: everything a post says comes in
 * through its arguments, so each layout is tested without Telegram.
 */
import type { MessageRow } from "../store/messages.ts";
import type { PeerRow } from "../store/peers.ts";
import type { MediaInfo } from "../telegram/media-map.ts";
import { peerKindOf } from "../telegram/peer-id.ts";
import { parseEntities, type StoredEntity } from "../telegram/stored-entities.ts";
import { type FormattedText, TextBuilder, truncateText } from "./formatted-text.ts";
import { messageLink, peerDisplayName, peerLink } from "./links.ts";
import { wordDiff } from "./word-diff.ts";

/** Who deleted a message, as far as we can tell. */
export type DeletionKind = "deleted" | "auto_delete" | "own";

/** The peers a post about a message mentions. */
export interface MessagePeers {
  chat: PeerRow | undefined;
  sender: PeerRow | undefined;
}

const BOLD = { _: "MessageEntityBold" } as const;

/** The mark each kind of post starts with. */
const MARK = {
  deleted: "🗑",
  autoDelete: "⏲",
  edited: "✏️",
  opened: "👁",
  expired: "⌛",
  saved: "💾",
  notSaved: "⚠️",
} as const;

/**
 * Whether a log-chat message is one of the logger's own posts (echoed by another device), so the
 * restricted-link saver never takes a post of ours for a request.
 */
export function isLogPost(text: string): boolean {
  return Object.values(MARK).some((mark) => text.startsWith(mark));
}
const ITALIC = { _: "MessageEntityItalic" } as const;

/** UTC date and time as `2026-11-22 04:20:11 UTC`. */
export function formatUtc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB"];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

function formatDuration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

function mentionEntity(peerId: number, peer: PeerRow | undefined): Omit<StoredEntity, "offset" | "length"> {
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
function addPeer(out: TextBuilder, peerId: number, peer: PeerRow | undefined): void {
  out.add(peerDisplayName(peerId, peer), mentionEntity(peerId, peer));
  if (peer?.username && peer.name) out.add(` @${peer.username}`);
}

/** The chat a message is in: "private chat with Alice", "Team (supergroup)", "Saved Messages". */
function addChat(out: TextBuilder, row: MessageRow, peers: MessagePeers): void {
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

function addMessageHeader(out: TextBuilder, row: MessageRow, peers: MessagePeers): void {
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

/** One line describing a message's media, with why the file itself is not attached. */
export function mediaLine(media: MediaInfo, reason: string): string {
  const name = media.fileName ? ` "${media.fileName}"` : "";
  const size = media.size ? `, ${formatBytes(media.size)}` : "";
  const desc = media.description ? `: ${media.description}` : "";
  const ttl = media.ttlSeconds ? ", self-destructing" : "";
  return `📎 ${media.kind}${name}${size}${ttl}${desc}${reason ? `. ${reason}` : ""}`;
}

function deletionTitle(kind: DeletionKind): string {
  if (kind === "auto_delete") return `${MARK.autoDelete} Message removed by the auto-delete timer`;
  if (kind === "own") return `${MARK.deleted} Your own message was deleted`;
  return `${MARK.deleted} Message deleted`;
}

/** The post for one deleted message: who, where, when, a link, then the text as it was. */
export function deletedMessagePost(
  row: MessageRow,
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
export function foldedMediaPost(row: MessageRow, peers: MessagePeers): FormattedText {
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

/** The post for self-destructing media, sent with the file when it is opened or expires. */
export function selfDestructedPost(
  row: MessageRow,
  peers: MessagePeers,
  moment: "opened" | "expired",
): FormattedText {
  const out = new TextBuilder();
  out.add(
    moment === "opened"
      ? `${MARK.opened} Self-destructing media was opened`
      : `${MARK.expired} Self-destructing media expired`,
    BOLD,
  );
  out.newline();
  addMessageHeader(out, row, peers);
  const media = row.media ? (JSON.parse(row.media) as MediaInfo) : undefined;
  if (media) out.add(mediaLine(media, ""), ITALIC).newline();
  if (row.text.length > 0) {
    out.add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}

/** The reply to a saving request: where the message is from, then its text as it is. */
export function savedMessagePost(row: MessageRow, peers: MessagePeers, link: string): FormattedText {
  const out = new TextBuilder();
  out.add(`${MARK.saved} Saved`, BOLD).add(` from ${link}`).newline();
  addMessageHeader(out, row, peers);
  if (row.media) out.add(mediaLine(JSON.parse(row.media) as MediaInfo, ""), ITALIC).newline();
  if (row.text.length > 0) {
    out.add("\n");
    out.addFormatted({ text: row.text, entities: parseEntities(row.entities) });
  }
  return out.build();
}

/** The post for an edit: a word diff, then the full text before and after with their formatting. */
export function editedMessagePost(
  before: { text: string; entities: string | null; media: MediaInfo | undefined },
  after: MessageRow,
  peers: MessagePeers,
  version: number,
): FormattedText {
  const out = new TextBuilder();
  out.add(`${MARK.edited} Message edited (version ${version})`, BOLD).newline();
  addMessageHeader(out, after, peers);
  const afterMedia = after.media ? (JSON.parse(after.media) as MediaInfo) : undefined;
  if (before.media?.identity !== afterMedia?.identity) {
    out.add(`Media: ${before.media?.kind ?? "none"} → ${afterMedia?.kind ?? "none"}`, ITALIC).newline();
  }
  if (before.text !== after.text) {
    const diff = wordDiff(before.text, after.text);
    if (diff) {
      out.add("\nChanges:", BOLD).add("\n").addFormatted(diff).newline();
    }
  } else {
    out.add("Only the formatting changed.", ITALIC).newline();
  }
  out.add("\nBefore:", BOLD).add("\n");
  out.addFormatted({ text: before.text, entities: parseEntities(before.entities) }).newline();
  out.add("\nAfter:", BOLD).add("\n");
  out.addFormatted({ text: after.text, entities: parseEntities(after.entities) });
  return out.build();
}

/** A deleted message's post, as carried by a folded post. */
export interface FoldedItem {
  text: string;
  chatName: string;
  /** Whether the message's file follows the folded post, or why it is missing. */
  mediaNote?: string;
}

/** The listing's note for a message whose file is posted after the folded post. */
export const MEDIA_FOLLOWS_NOTE = "The file follows the folded post as its own message.";

/**
 * The caption of a folded burst of deletions: counts per chat and the first `inline` posts in
 * short, all within `limit` units. Every post is in full in the attached listing.
 */
export function foldedDeletionsCaption(
  items: readonly FoldedItem[],
  inline: number,
  fileName: string,
  limit: number,
  filesFollowing = 0,
) {
  const perChat = new Map<string, number>();
  for (const it of items) perChat.set(it.chatName, (perChat.get(it.chatName) ?? 0) + 1);
  const head = new TextBuilder();
  head.add(`${MARK.deleted} ${items.length} messages deleted`, BOLD).newline();
  const chats = [...perChat].sort((a, b) => b[1] - a[1]);
  const chatLines = chats.slice(0, 10).map(([name, n]) => `${n} in ${name}`);
  if (chats.length > 10) chatLines.push(`and ${chats.length - 10} more chats`);
  head.add(chatLines.join(", ")).newline();
  if (filesFollowing > 0)
    head
      .add(`📎 ${filesFollowing} recovered ${filesFollowing === 1 ? "file follows" : "files follow"}`)
      .newline();
  const foot = `\nEvery message, in full: ${fileName}`;
  const shown = items.slice(0, inline);
  const budget = limit - head.length - foot.length - shown.length * 2;
  const each = Math.max(0, Math.floor(budget / Math.max(1, shown.length)));
  if (each >= 40) {
    for (const it of shown) head.add("\n").add(truncateText(it.text.replace(/\n+/g, " · "), each - 1));
  }
  head.add(foot, ITALIC);
  return head.build();
}

/** The attached listing of a folded burst: every deleted message's post, in full, in order. */
export function foldedDeletionsListing(items: readonly FoldedItem[], foldedAt: number): string {
  const rule = "\n\n────────────────────────\n\n";
  const header = `${items.length} deleted messages, listed ${formatUtc(foldedAt)}`;
  const entry = (it: FoldedItem) => (it.mediaNote ? `${it.text}\n\n📎 ${it.mediaNote}` : it.text);
  return `${header}${rule}${items.map(entry).join(rule)}\n`;
}

/** The reply to a saving request that could not be served: the link and why. */
export function notSavedPost(link: string, why: string): FormattedText {
  return new TextBuilder().add(`${MARK.notSaved} Not saved: `, BOLD).add(link).add("\n").add(why).build();
}
