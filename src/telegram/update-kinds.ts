/**
 * Sorts raw GramJS updates into the few kinds of work the logger does. Short updates
 * (`UpdateShortMessage`, `UpdateShortChatMessage`) are expanded into full messages here, the way
 * GramJS's own NewMessage event does, so every later step sees one message shape.
 */
import bigInt from "big-integer";
import { Api } from "telegram";

/** Users and chats delivered with an update container, keyed by marked id (as text). */
export type UpdateEntities = ReadonlyMap<string, Api.TypeUser | Api.TypeChat>;

/** One unit of ingest work. */
export type IngestWork =
  | { kind: "new"; message: Api.Message; entities: UpdateEntities | undefined }
  | { kind: "edit"; message: Api.Message; entities: UpdateEntities | undefined }
  | { kind: "delete"; messageIds: number[]; channelId: number | null }
  /** Media was opened (view-once and timed media start their countdown). */
  | { kind: "opened"; messageIds: number[]; channelId: number | null }
  | { kind: "ignore"; reason: string };

function entitiesOf(update: object): UpdateEntities | undefined {
  const e = (update as { _entities?: unknown })._entities;
  return e instanceof Map && e.size > 0 ? (e as UpdateEntities) : undefined;
}

function shortToMessage(u: Api.UpdateShortMessage | Api.UpdateShortChatMessage, selfId: number): Api.Message {
  const isPrivate = u instanceof Api.UpdateShortMessage;
  const author = isPrivate ? u.userId : u.fromId;
  return new Api.Message({
    out: u.out,
    mentioned: u.mentioned,
    mediaUnread: u.mediaUnread,
    silent: u.silent,
    id: u.id,
    peerId: isPrivate ? new Api.PeerUser({ userId: u.userId }) : new Api.PeerChat({ chatId: u.chatId }),
    fromId: new Api.PeerUser({ userId: u.out ? bigInt(selfId) : author }),
    message: u.message,
    date: u.date,
    fwdFrom: u.fwdFrom,
    viaBotId: u.viaBotId,
    replyTo: u.replyTo,
    entities: u.entities,
    ttlPeriod: u.ttlPeriod,
  });
}

/** Classifies one raw update. `selfId` is the account's own user id. */
export function classifyUpdate(update: unknown, selfId: number): IngestWork {
  if (update instanceof Api.UpdateNewMessage || update instanceof Api.UpdateNewChannelMessage) {
    const m = update.message;
    if (!(m instanceof Api.Message)) return { kind: "ignore", reason: m.className };
    return { kind: "new", message: m, entities: entitiesOf(update) };
  }
  if (update instanceof Api.UpdateShortMessage || update instanceof Api.UpdateShortChatMessage) {
    return { kind: "new", message: shortToMessage(update, selfId), entities: undefined };
  }
  if (update instanceof Api.UpdateEditMessage || update instanceof Api.UpdateEditChannelMessage) {
    const m = update.message;
    if (!(m instanceof Api.Message)) return { kind: "ignore", reason: m.className };
    return { kind: "edit", message: m, entities: entitiesOf(update) };
  }
  if (update instanceof Api.UpdateDeleteMessages) {
    return { kind: "delete", messageIds: [...update.messages], channelId: null };
  }
  if (update instanceof Api.UpdateDeleteChannelMessages) {
    return { kind: "delete", messageIds: [...update.messages], channelId: update.channelId.toJSNumber() };
  }
  if (update instanceof Api.UpdateReadMessagesContents) {
    return { kind: "opened", messageIds: [...update.messages], channelId: null };
  }
  if (update instanceof Api.UpdateChannelReadMessagesContents) {
    return { kind: "opened", messageIds: [...update.messages], channelId: update.channelId.toJSNumber() };
  }
  const name = (update as { className?: unknown })?.className;
  return { kind: "ignore", reason: typeof name === "string" ? name : "unknown update" };
}

/** How much work an update is for the ingest queue: a deletion weighs one per message id. */
export function updateWeight(update: unknown): number {
  if (update instanceof Api.UpdateDeleteMessages || update instanceof Api.UpdateDeleteChannelMessages) {
    return Math.max(1, update.messages.length);
  }
  return 1;
}
