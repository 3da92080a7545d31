/**
 * A message seen for the first time: stored before anything else happens to it.
 */
import type { Api } from "telegram";
import { bufferDecision } from "../../media/policy.ts";
import type { MediaInfo } from "../../model/media.ts";
import type { MessageRow } from "../../store/messages.ts";
import { chatTypeOf, markedIdOfPeer, messageRowOf, senderIdOf } from "../message-map.ts";
import type { UpdateEntities } from "../update-kinds.ts";
import { chatFactsOf, type HandlerContext, isExcluded, rememberEntities } from "./context.ts";

/** A message row just written. */
export interface StoredMessage {
  rowId: number;
  chatType: string;
}

/** The `messages` row of a message in the chat with marked id `chatId`. */
function rowFor(ctx: HandlerContext, message: Api.Message, chatId: number) {
  const chat = chatFactsOf(ctx, chatId);
  return messageRowOf(message, chatId, chatTypeOf(message.peerId, chat, ctx.selfId), chat, ctx.selfId);
}

/** Stores a new message unless it is excluded; says what was written, or null. */
export function storeNewMessage(
  ctx: HandlerContext,
  message: Api.Message,
  entities: UpdateEntities | undefined,
): StoredMessage | null {
  const now = ctx.now();
  rememberEntities(ctx, entities, now);
  const chatId = markedIdOfPeer(message.peerId);
  const senderId = senderIdOf(message, chatId, ctx.selfId);
  if (chatId === ctx.logChatId && message.out) ctx.saveRequests?.(message);
  if (isExcluded(ctx, chatId, senderId)) return null;
  if (message.out && !ctx.listenOutgoing) return null;
  const row = rowFor(ctx, message, chatId);
  const rowId = ctx.messages.insert(row, now);
  if (rowId === null) return null;
  if (row.media) planMediaDownload(ctx, rowId, row, message, now);
  return { rowId, chatType: row.chatType };
}

/** Records whether the buffer keeps this message's file, and queues the download when it does. */
function planMediaDownload(
  ctx: HandlerContext,
  rowId: number,
  row: ReturnType<typeof rowFor>,
  message: Api.Message,
  now: number,
  policy = ctx.bufferPolicy,
): void {
  const media = JSON.parse(row.media!) as MediaInfo;
  const decision = bufferDecision(row, media, policy);
  const existing = ctx.mediaFiles.byMessage(rowId);
  if (decision.keep) {
    if (!existing) ctx.mediaFiles.add(rowId, "pending", null, media.size ?? null, now);
    else if (existing.status === "skipped" || existing.status === "failed") {
      ctx.mediaFiles.update(existing.id, { status: "pending", reason: null }, now);
    } else return;
    ctx.media.download(rowId, message);
  } else if (decision.reason !== "no_file" && !existing) {
    ctx.mediaFiles.add(rowId, "skipped", decision.reason, media.size ?? null, now);
  }
}

/**
 * Stores a message the owner asked to save (restricted-link saver): stored even in chats that are
 * not logged, and its file is downloaded whatever the buffer policy (the size cap still applies).
 */
export function storeRequestedMessage(
  ctx: HandlerContext,
  message: Api.Message,
  entities: UpdateEntities | undefined,
): MessageRow | undefined {
  const now = ctx.now();
  rememberEntities(ctx, entities, now);
  const chatId = markedIdOfPeer(message.peerId);
  const row = rowFor(ctx, message, chatId);
  const rowId = ctx.messages.insert(row, now) ?? ctx.messages.find(chatId, message.id)?.id;
  if (rowId === undefined) return undefined;
  if (row.media) planMediaDownload(ctx, rowId, row, message, now, { ...ctx.bufferPolicy, bufferAll: true });
  return ctx.messages.byRowId(rowId);
}
