/**
 * A message seen for the first time: stored before anything else happens to it.
 */
import type { Api } from "telegram";
import { chatTypeOf, markedIdOfPeer, messageRowOf, senderIdOf } from "../message-map.ts";
import type { UpdateEntities } from "../update-kinds.ts";
import { chatFactsOf, type HandlerContext, isExcluded, rememberEntities } from "./context.ts";

/** Stores a new message unless it is excluded; returns the chat type when a row was written, else null. */
export function storeNewMessage(
  ctx: HandlerContext,
  message: Api.Message,
  entities: UpdateEntities | undefined,
): string | null {
  const now = ctx.now();
  rememberEntities(ctx, entities, now);
  const chatId = markedIdOfPeer(message.peerId);
  const senderId = senderIdOf(message, chatId, ctx.selfId);
  if (isExcluded(ctx, chatId, senderId)) return null;
  if (message.out && !ctx.listenOutgoing) return null;
  const chat = chatFactsOf(ctx, chatId);
  const row = messageRowOf(message, chatId, chatTypeOf(message.peerId, chat, ctx.selfId), chat, ctx.selfId);
  return ctx.messages.insert(row, now) ? row.chatType : null;
}
