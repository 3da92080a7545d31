/**
 * A burst of deletions folded into one post: a caption with counts per chat and the first few
 * messages in short, and an attached listing with every message in full, so nothing is truncated or
 * dropped however many messages vanish at once.
 */
import { TextBuilder, truncateText } from "../model/formatted-text.ts";
import { formatUtc } from "./format.ts";
import { BOLD, ITALIC, MARK } from "./marks.ts";

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
