/**
 * Queries on `messages` and `message_revisions`. Hot paths (one insert per message seen, one
 * lookup per deleted id) are prepared once.
 */

import type { StoredMessage } from "../model/message.ts";
import type { Db } from "./db.ts";
import { and, asc, eq, sql } from "./orm.ts";
import type { SameShape } from "./same-shape.ts";
import { messageRevisions, messages } from "./schema.ts";

/** A stored message, as read back: the model's type, checked against the table's columns. */
export type MessageRow = SameShape<typeof messages.$inferSelect, StoredMessage>;
/** A message to store; the store fills ids and bookkeeping. */
export type NewMessageRow = Omit<
  typeof messages.$inferInsert,
  "id" | "deletedAt" | "deletionKind" | "revisionCount" | "recordedAt"
>;
/** One version of a message's content. */
export interface MessageContent {
  text: string;
  entities: string | null;
  media: string | null;
  editDate: number | null;
}

/** Message persistence for the ingest handlers. */
export class MessageStore {
  readonly #db: Db;
  readonly #insert;
  readonly #byRowId;
  readonly #markDeleted;
  readonly #byChatAndId;
  readonly #byIdOutsideChannels;

  constructor(db: Db) {
    this.#db = db;
    const p = (name: string) => sql.placeholder(name);
    this.#insert = db
      .insert(messages)
      .values({
        chatId: p("chatId"),
        messageId: p("messageId"),
        chatType: p("chatType"),
        senderId: p("senderId"),
        date: p("date"),
        editDate: p("editDate"),
        text: p("text"),
        entities: p("entities"),
        media: p("media"),
        groupedId: p("groupedId"),
        replyToMessageId: p("replyToMessageId"),
        forward: p("forward"),
        outgoing: p("outgoing"),
        noforwards: p("noforwards"),
        selfDestructing: p("selfDestructing"),
        ttlPeriod: p("ttlPeriod"),
        recordedAt: p("recordedAt"),
      })
      .onConflictDoNothing()
      .returning({ id: messages.id })
      .prepare();
    this.#markDeleted = db
      .update(messages)
      .set({ deletedAt: sql`${p("at")}`, deletionKind: sql`${p("kind")}` })
      .where(and(eq(messages.id, p("id")), sql`${messages.deletedAt} is null`))
      .prepare();
    this.#byRowId = db
      .select()
      .from(messages)
      .where(eq(messages.id, p("id")))
      .prepare();
    this.#byChatAndId = db
      .select()
      .from(messages)
      .where(and(eq(messages.chatId, p("chatId")), eq(messages.messageId, p("messageId"))))
      .prepare();
    this.#byIdOutsideChannels = db
      .select()
      .from(messages)
      .where(and(eq(messages.messageId, p("messageId")), sql`${messages.chatId} > -1000000000000`))
      .prepare();
  }

  /** Stores a message seen for the first time; returns its row id, or null when it was already stored. */
  insert(row: NewMessageRow, recordedAt: number): number | null {
    const r = this.#insert.get({
      senderId: null,
      editDate: null,
      entities: null,
      media: null,
      groupedId: null,
      replyToMessageId: null,
      forward: null,
      ttlPeriod: null,
      ...row,
      outgoing: row.outgoing ? 1 : 0,
      noforwards: row.noforwards ? 1 : 0,
      selfDestructing: row.selfDestructing ? 1 : 0,
      recordedAt,
    });
    return r?.id ?? null;
  }

  /** The stored message with row id `id`. */
  byRowId(id: number): MessageRow | undefined {
    return this.#byRowId.get({ id });
  }

  /** The stored message `messageId` in the chat with marked id `chatId`. */
  find(chatId: number, messageId: number): MessageRow | undefined {
    return this.#byChatAndId.get({ chatId, messageId });
  }

  /**
   * Messages a deletion without a chat id names: private chats and basic groups share one id
   * sequence per account, so at most one normally matches.
   */
  findOutsideChannels(messageId: number): MessageRow[] {
    return this.#byIdOutsideChannels.all({ messageId });
  }

  /** Marks a message deleted; the row itself is kept. */
  markDeleted(rowId: number, at: number, kind: string): void {
    this.#markDeleted.run({ id: rowId, at, kind });
  }

  /**
   * Records an edit: keeps the previous content as a revision (the original becomes version 0 on
   * the first edit), stores the new version, and makes it the message's current content.
   */
  applyEdit(row: MessageRow, next: MessageContent, recordedAt: number): number {
    if (row.revisionCount === 0) {
      this.#db
        .insert(messageRevisions)
        .values({
          messageRowId: row.id,
          version: 0,
          text: row.text,
          entities: row.entities,
          media: row.media,
          editDate: row.editDate,
          recordedAt: row.recordedAt,
        })
        .run();
    }
    const version = row.revisionCount + 1;
    this.#db
      .insert(messageRevisions)
      .values({ messageRowId: row.id, version, ...next, recordedAt })
      .run();
    this.#db
      .update(messages)
      .set({ ...next, revisionCount: version })
      .where(eq(messages.id, row.id))
      .run();
    return version;
  }

  /** Every stored version of a message, oldest first. */
  revisions(rowId: number) {
    return this.#db
      .select()
      .from(messageRevisions)
      .where(eq(messageRevisions.messageRowId, rowId))
      .orderBy(asc(messageRevisions.version))
      .all();
  }
}
