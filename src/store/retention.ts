/**
 * The queries housekeeping purges with. Each call handles one chunk in one short transaction, so
 * the caller can yield to the event loop between chunks and a purge of a million rows never blocks
 * ingest or a health probe for long. Raw prepared statements: these loops are hot.
 */
import type Database from "better-sqlite3";
import type { Store } from "./db.ts";

/** An `events` row as archived: column names as in the table. */
export type ArchivedEvent = Record<string, unknown> & { id: number };

/** Removed by one chunk of message retention. */
export interface MessagesPurged {
  messages: number;
  revisions: number;
}

/** Chunked deletes of expired rows. */
export class RetentionQueries {
  readonly #store: Store;
  readonly #sqlite: Database.Database;
  readonly #expiredEvents: Database.Statement<[number, number], ArchivedEvent>;
  readonly #deleteEvents: Database.Statement<[string]>;
  readonly #deleteRevisions: Database.Statement<[string]>;
  readonly #deleteMessages: Database.Statement<[string]>;

  constructor(store: Store) {
    this.#store = store;
    this.#sqlite = store.sqlite;
    this.#expiredEvents = this.#sqlite.prepare(
      "SELECT * FROM events WHERE occurred_at < ? ORDER BY occurred_at, id LIMIT ?",
    );
    this.#deleteEvents = this.#sqlite.prepare(
      "DELETE FROM events WHERE id IN (SELECT value FROM json_each(?))",
    );
    this.#deleteRevisions = this.#sqlite.prepare(
      "DELETE FROM message_revisions WHERE message_row_id IN (SELECT value FROM json_each(?))",
    );
    this.#deleteMessages = this.#sqlite.prepare(
      "DELETE FROM messages WHERE id IN (SELECT value FROM json_each(?))",
    );
  }

  /**
   * Deletes up to `limit` messages of `chatTypes` sent before `cutoff` (ms), with their revisions,
   * in one transaction.
   */
  purgeMessages(chatTypes: readonly string[], cutoff: number, limit: number): MessagesPurged {
    const marks = chatTypes.map(() => "?").join(", ");
    const ids = this.#sqlite
      .prepare(`SELECT id FROM messages WHERE chat_type IN (${marks}) AND date < ? LIMIT ?`)
      .pluck()
      .all(...chatTypes, cutoff, limit) as number[];
    if (ids.length === 0) return { messages: 0, revisions: 0 };
    const list = JSON.stringify(ids);
    return this.#store.transaction(() => {
      const revisions = this.#deleteRevisions.run(list).changes;
      const messages = this.#deleteMessages.run(list).changes;
      return { messages, revisions };
    });
  }

  /** Up to `limit` events that occurred before `cutoff` (ms), oldest first, every column. */
  expiredEvents(cutoff: number, limit: number): ArchivedEvent[] {
    return this.#expiredEvents.all(cutoff, limit);
  }

  /** Deletes the events with these ids (after they were archived). */
  deleteEvents(ids: readonly number[]): number {
    if (ids.length === 0) return 0;
    const list = JSON.stringify(ids);
    return this.#store.transaction(() => this.#deleteEvents.run(list).changes);
  }
}
