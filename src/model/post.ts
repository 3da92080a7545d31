/**
 * A log-chat post as the parts that write one describe it, before the feed stores it: its kind,
 * its formatted body and what is attached. The feed (src/feed/) stores, paces and delivers posts;
 * their wording comes from src/posts/.
 */
import type { FormattedText } from "./formatted-text.ts";

/** The kind of every post, stored in `outbox.kind`; folding and albums key on these. */
export const POST_KINDS = {
  /** One deleted message (folded into a burst when many come at once). */
  deleted: "message.deleted",
  edited: "message.edited",
  /** A burst of deletions folded into one post with an attached listing. */
  folded: "deletions.folded",
  /** The file of a message folded into a burst, posted after the folded post. */
  foldedMedia: "deletions.folded_media",
  selfDestructing: "media.self_destructing",
  saved: "saved.message",
  notSaved: "saved.failed",
  fileDigest: "files.digest",
  report: "report",
} as const;

/** One of `POST_KINDS`. */
export type PostKind = (typeof POST_KINDS)[keyof typeof POST_KINDS];

/** A file sent with a post, stored as JSON in `outbox.attachment`. */
export type PostAttachment =
  /**
   * Every message of a folded burst, listed in a text file. `mediaNotes` says, per folded post id,
   * whether the message's file follows the folded post or why it is missing.
   */
  | { type: "folded-listing"; name: string; mediaNotes?: Record<string, string> }
  /** The media of a stored message (from the buffer or the deleted-media store). */
  | { type: "message-media"; messageRowId: number }
  /** A text file carried in the post itself (file-audit digests with a long listing). */
  | { type: "text"; name: string; text: string };

/** The attachment a stored post carries, if any. */
export function attachmentOf(row: { attachment: string | null }): PostAttachment | undefined {
  return row.attachment ? (JSON.parse(row.attachment) as PostAttachment) : undefined;
}

/** The message row whose media a stored post carries, if any. */
export function mediaRowOf(row: { attachment: string | null }): number | undefined {
  const a = attachmentOf(row);
  return a?.type === "message-media" ? a.messageRowId : undefined;
}

/** A post to queue. */
export interface PostDraft {
  kind: PostKind;
  body: FormattedText;
  attachment?: PostAttachment;
  /** A log-chat message this post replies to. */
  replyTo?: number;
  /** The chat the post is about, by name, for folded summaries. */
  topic?: string;
  eventId?: number;
  correlationId?: string;
}
