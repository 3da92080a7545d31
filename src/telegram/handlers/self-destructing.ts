/**
 * Self-destructing (view-once, timed) media. Its file is downloaded on arrival; it is posted once,
 * at the first of: being opened, expiring, or being deleted.
 */

import { markChannel } from "../../model/peer-id.ts";
import { POST_KINDS } from "../../model/post.ts";
import { selfDestructedPost } from "../../posts/self-destructed.ts";
import type { MessageRow } from "../../store/messages.ts";
import { chatTopic, type HandlerContext, isExcluded, peersOf } from "./context.ts";

/** Why the media is posted now. */
export type SelfDestructMoment = "opened" | "expired";

/** Stored self-destructing messages among `messageIds` (channel ids when `channelId` is set). */
function rowsOf(ctx: HandlerContext, messageIds: readonly number[], channelId: number | null): MessageRow[] {
  const chatId = channelId === null ? null : markChannel(channelId);
  return messageIds.flatMap((id) =>
    chatId === null
      ? ctx.messages.findOutsideChannels(id)
      : [ctx.messages.find(chatId, id)].filter((r) => r !== undefined),
  );
}

/** Posts the media of a self-destructing message unless it was posted already; returns whether it posted. */
export function postSelfDestructing(
  ctx: HandlerContext,
  row: MessageRow,
  moment: SelfDestructMoment,
  correlationId: string,
): boolean {
  if (!row.selfDestructing || isExcluded(ctx, row.chatId, row.senderId)) return false;
  const file = ctx.mediaFiles.byMessage(row.id);
  if (!file || !ctx.mediaFiles.claimPost(file.id, ctx.now())) return false;
  const now = ctx.now();
  const eventId = ctx.events.record(
    {
      source: "telegram",
      type: `media.self_destruct_${moment}`,
      status: "success",
      occurredAt: now,
      chatId: row.chatId,
      messageId: row.messageId,
      correlationId,
    },
    now,
  );
  ctx.feed.enqueue({
    kind: POST_KINDS.selfDestructing,
    body: selfDestructedPost(row, peersOf(ctx, row.chatId, row.senderId), moment),
    attachment: { type: "message-media", messageRowId: row.id },
    topic: chatTopic(ctx, row.chatId),
    eventId,
    correlationId,
  });
  return true;
}

/** Handles "media opened" for the given message ids. */
export function recordOpened(
  ctx: HandlerContext,
  messageIds: readonly number[],
  channelId: number | null,
  correlationId: string,
): number {
  let posted = 0;
  for (const row of rowsOf(ctx, messageIds, channelId)) {
    if (postSelfDestructing(ctx, row, "opened", correlationId)) posted++;
  }
  return posted;
}
