/**
 * The mark each kind of post starts with, and the entities posts use for titles and notes. A post
 * is recognised as the logger's own by its mark.
 */

export const BOLD = { _: "MessageEntityBold" } as const;

/** The mark each kind of post starts with. */
export const MARK = {
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
export const ITALIC = { _: "MessageEntityItalic" } as const;
