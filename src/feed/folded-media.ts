/**
 * The media of a folded burst of deletions. Folding puts every deleted message in one listing, but
 * the files themselves must still come back: each folded deletion whose file was kept (buffered or
 * in the deleted-media store) is posted after the folded post as its own outbox row, in its own
 * kind, with a short caption naming the message. Those rows have their own kind, so they are never
 * folded again; they go through the same sender (pacing, FloodWait, random ids stored before the
 * first try). Messages whose file was not kept stay in the listing, which says why.
 */
import type { Logger } from "pino";
import type { MediaAvailability } from "../media/buffer.ts";
import { entitiesJson } from "../model/entities.ts";
import type { FormattedText } from "../model/formatted-text.ts";
import { mediaRowOf, POST_KINDS, type PostAttachment } from "../model/post.ts";
import { MEDIA_FOLLOWS_NOTE } from "../posts/folded-burst.ts";
import type { NewOutboxRow, OutboxRow } from "../store/outbox.ts";
import { newRandomId } from "./outbox-feed.ts";

/** What planning needs to know about a folded message's file. */
export interface FoldedMediaSource {
  /** Whether the file is kept, once its download and move have settled. */
  availability(messageRowId: number): Promise<MediaAvailability>;
  /** The short caption naming the message; undefined when the message row is gone. */
  caption(messageRowId: number): FormattedText | undefined;
}

/** A file to post after the folded post: the folded deletion it belongs to and its caption. */
export interface FollowingMedia {
  row: OutboxRow;
  messageRowId: number;
  caption: FormattedText;
}

/** What a folded burst does with its messages' files. */
export interface FoldedMediaPlan {
  /** Files posted after the folded post, in the burst's order (album members stay adjacent). */
  follow: FollowingMedia[];
  /** Per folded post id: the file follows, or why it is missing (what the listing says). */
  notes: Record<string, string>;
}

/**
 * Decides, for every deletion in the burst that carries a file, whether the file follows the folded
 * post or why not. Waits for downloads and moves still running, as a single post would. A file whose
 * state cannot be read is planned to follow: its post then fails or explains itself visibly, rather
 * than the file being silently left out.
 */
export async function planFoldedMedia(
  due: readonly OutboxRow[],
  source: FoldedMediaSource,
  log: Logger,
): Promise<FoldedMediaPlan> {
  const plan: FoldedMediaPlan = { follow: [], notes: {} };
  for (const row of due) {
    const messageRowId = mediaRowOf(row);
    if (messageRowId === undefined) continue;
    let found: MediaAvailability;
    try {
      found = await source.availability(messageRowId);
    } catch (err) {
      log.warn({ err, messageRowId }, "could not tell whether a folded message's file is kept; posting it");
      found = { kept: true };
    }
    const caption = found.kept ? source.caption(messageRowId) : undefined;
    if (!caption) {
      const why = found.kept ? "The message is no longer stored." : found.reasonText;
      if (why) plan.notes[row.id] = why;
      continue;
    }
    plan.follow.push({ row, messageRowId, caption });
    plan.notes[row.id] = MEDIA_FOLLOWS_NOTE;
  }
  return plan;
}

/** The outbox row that posts one folded message's file; its random id is chosen now, once. */
export function followingMediaRow(media: FollowingMedia, now: number): NewOutboxRow {
  const attachment: PostAttachment = { type: "message-media", messageRowId: media.messageRowId };
  return {
    kind: POST_KINDS.foldedMedia,
    randomId: newRandomId(),
    text: media.caption.text,
    entities: entitiesJson(media.caption.entities),
    topic: media.row.topic,
    attachment: JSON.stringify(attachment),
    notBefore: now,
    eventId: media.row.eventId,
    correlationId: media.row.correlationId,
  };
}
