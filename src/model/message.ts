/**
 * A message as the service keeps it: one row of `messages` per (chat, message) the account has
 * seen. Dates are milliseconds since the epoch (UTC); chat and sender are marked peer ids
 * (peer-id.ts); `entities` and `media` are JSON (entities.ts, media.ts).
 */

/** Every kind of chat a message can be in (`messages.chat_type`). */
export const CHAT_TYPES = ["user", "bot", "self", "group", "supergroup", "channel"] as const;

/** One of `CHAT_TYPES`. */
export type ChatType = (typeof CHAT_TYPES)[number];

/** A stored message, as read back. */
export interface StoredMessage {
  id: number;
  chatId: number;
  messageId: number;
  /** One of `CHAT_TYPES`; text in the database. */
  chatType: string;
  senderId: number | null;
  date: number;
  editDate: number | null;
  text: string;
  /** Formatting entities as JSON (`StoredEntity[]`), null for none. */
  entities: string | null;
  /** Media metadata as JSON (`MediaInfo`), null for none. */
  media: string | null;
  groupedId: string | null;
  replyToMessageId: number | null;
  /** The forward header as JSON, when the message is a forward. */
  forward: string | null;
  outgoing: boolean;
  noforwards: boolean;
  selfDestructing: boolean;
  /** The message's auto-delete timer in seconds. */
  ttlPeriod: number | null;
  deletedAt: number | null;
  /** A `DeletionKind` (deletion.ts), decided when the deletion arrived. */
  deletionKind: string | null;
  revisionCount: number;
  recordedAt: number;
}
