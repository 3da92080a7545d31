/**
 * Deletions. Private chats and basic groups report only message ids (unique per account), so
 * those are looked up among non-channel messages; channels and supergroups report their id too.
 * The row is marked, never removed; an event is recorded and the recovered message is posted.
 */

import type { DeletionKind } from "../../model/deletion.ts";
import type { MediaInfo } from "../../model/media.ts";
import { markChannel } from "../../model/peer-id.ts";
import { POST_KINDS } from "../../model/post.ts";
import { deletedMessagePost } from "../../posts/deleted.ts";
import { mediaLine } from "../../posts/media-line.ts";
import type { MessageRow } from "../../store/messages.ts";
import { chatTopic, type HandlerContext, isExcluded, peersOf } from "./context.ts";

/** Telegram's auto-delete fires at `date + ttl_period`; allow for clock skew around it. */
const AUTO_DELETE_SLACK_MS = 60_000;

/** Who most likely deleted a message. Telegram does not say; these are the cases we can tell. */
function deletionKindOf(row: MessageRow, now: number): DeletionKind {
  if (row.ttlPeriod && now >= row.date + row.ttlPeriod * 1000 - AUTO_DELETE_SLACK_MS) return "auto_delete";
  if (row.outgoing) return "own";
  return "deleted";
}

/** The media line of a deletion post; the file itself (or why it is missing) is added when sent. */
function mediaNoteOf(row: MessageRow, alreadyPosted: boolean): string | null {
  if (!row.media) return null;
  return mediaLine(
    JSON.parse(row.media) as MediaInfo,
    alreadyPosted ? "Posted when it was opened or expired." : "",
  );
}

/** Counts of what a deletion update led to. */
export interface DeletionOutcome {
  posted: number;
  unknown: number;
  excluded: number;
}

/** Handles one deletion update (one or many ids). */
export function recordDeletions(
  ctx: HandlerContext,
  messageIds: readonly number[],
  channelId: number | null,
  correlationId: string,
): DeletionOutcome {
  const now = ctx.now();
  const chatId = channelId === null ? null : markChannel(channelId);
  const outcome: DeletionOutcome = { posted: 0, unknown: 0, excluded: 0 };
  for (const messageId of messageIds) {
    const rows =
      chatId === null
        ? ctx.messages.findOutsideChannels(messageId)
        : [ctx.messages.find(chatId, messageId)].filter((r) => r !== undefined);
    if (rows.length === 0) {
      outcome.unknown++;
      if (chatId !== null && isExcluded(ctx, chatId, null)) continue;
      ctx.events.record(
        {
          source: "telegram",
          type: "message.deleted",
          status: "skipped",
          occurredAt: now,
          chatId,
          messageId,
          details: { reason: "message never seen" },
          correlationId,
        },
        now,
      );
      continue;
    }
    for (const row of rows) {
      if (row.deletedAt !== null || isExcluded(ctx, row.chatId, row.senderId)) {
        outcome.excluded++;
        continue;
      }
      const kind = deletionKindOf(row, now);
      ctx.messages.markDeleted(row.id, now, kind);
      const eventId = ctx.events.record(
        {
          source: "telegram",
          type: "message.deleted",
          status: "success",
          occurredAt: now,
          chatId: row.chatId,
          messageId: row.messageId,
          details: { deletion: kind, chatType: row.chatType, ambiguous: rows.length > 1 || undefined },
          correlationId,
        },
        now,
      );
      const found = ctx.mediaFiles.byMessage(row.id);
      if (found) ctx.media.deleted(row.id);
      // Self-destructing media is posted once: not again if it was posted when opened or expired.
      const alreadyPosted = Boolean(found && row.selfDestructing && !ctx.mediaFiles.claimPost(found.id, now));
      const file = alreadyPosted ? undefined : found;
      ctx.feed.enqueue({
        kind: POST_KINDS.deleted,
        body: deletedMessagePost(
          row,
          peersOf(ctx, row.chatId, row.senderId),
          kind,
          mediaNoteOf(row, alreadyPosted),
        ),
        attachment: file ? { type: "message-media", messageRowId: row.id } : undefined,
        topic: chatTopic(ctx, row.chatId),
        eventId,
        correlationId,
      });
      outcome.posted++;
    }
  }
  return outcome;
}
