/**
 * An edit: compared with the stored version; only a change of text, formatting or media counts.
 * Reactions, votes, live-location moves and link previews arrive as edits too and are not.
 */
import type { Api } from "telegram";
import type { MediaInfo } from "../../model/media.ts";
import { POST_KINDS } from "../../model/post.ts";
import { editedMessagePost } from "../../posts/edited.ts";
import { contentOf, markedIdOfPeer, mediaIdentity, senderIdOf } from "../message-map.ts";
import type { UpdateEntities } from "../update-kinds.ts";
import { chatTopic, type HandlerContext, isExcluded, peersOf, rememberEntities } from "./context.ts";
import { storeNewMessage } from "./new-message.ts";
import { postSelfDestructing } from "./self-destructing.ts";

/** What an edit led to, for the caller's bookkeeping. */
export type EditOutcome = "edited" | "unchanged" | "stored_as_new" | "excluded";

/** Records an edit: a revision, an event and (when enabled) a post with the diff. */
export function recordEdit(
  ctx: HandlerContext,
  message: Api.Message,
  entities: UpdateEntities | undefined,
  correlationId: string,
): EditOutcome {
  const now = ctx.now();
  rememberEntities(ctx, entities, now);
  const chatId = markedIdOfPeer(message.peerId);
  if (isExcluded(ctx, chatId, senderIdOf(message, chatId, ctx.selfId))) return "excluded";
  const row = ctx.messages.find(chatId, message.id);
  if (!row) {
    // Edited before we ever saw it (sent while we were offline): keep it from now on.
    return storeNewMessage(ctx, message, undefined) !== null ? "stored_as_new" : "excluded";
  }
  const next = contentOf(message);
  if (row.selfDestructing && next.mediaInfo?.identity.endsWith(":expired")) {
    // The timer ran out: Telegram edits the media away. Not an edit; the file is posted once.
    postSelfDestructing(ctx, row, "expired", correlationId);
    return "unchanged";
  }
  const sameMedia = mediaIdentity(next.media) === mediaIdentity(row.media);
  if (next.text === row.text && next.entities === row.entities && sameMedia) return "unchanged";

  const before = {
    text: row.text,
    entities: row.entities,
    media: row.media ? (JSON.parse(row.media) as MediaInfo) : undefined,
  };
  const editDate = message.editDate ? message.editDate * 1000 : now;
  const version = ctx.messages.applyEdit(
    row,
    { text: next.text, entities: next.entities, media: next.media, editDate },
    now,
  );
  const eventId = ctx.events.record(
    {
      source: "telegram",
      type: "message.edited",
      status: "success",
      occurredAt: editDate,
      chatId,
      messageId: message.id,
      details: { version, textChanged: next.text !== row.text, mediaChanged: !sameMedia },
      correlationId,
    },
    now,
  );
  if (ctx.saveEdited) {
    const after = ctx.messages.find(chatId, message.id)!;
    ctx.feed.enqueue({
      kind: POST_KINDS.edited,
      body: editedMessagePost(before, after, peersOf(ctx, chatId, after.senderId), version),
      topic: chatTopic(ctx, chatId),
      eventId,
      correlationId,
    });
  }
  return "edited";
}
