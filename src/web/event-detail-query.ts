/**
 * One event with what it concerns, behind `/ui/events/<id>` and `/api/events/<id>`: the row with
 * every column, the message it names (chat id and message id) with every stored version, and the
 * other events of its correlation id (one reconcile pass, one ingest batch). Reads only; runs on
 * the UI's read worker.
 */
import type Database from "better-sqlite3";
import { EVENT_COLUMNS, type EventRecord } from "../export/event-rows.ts";

/** Events of the same correlation id listed at most (the events list shows them all, paged). */
export const RELATED_MAX = 200;

/** A stored message as the detail shows it: the columns of `messages`, as SQLite returns them. */
export type MessageRecord = Record<string, string | number | null>;

/** One version of an edited message (version 0 is the original). */
export interface RevisionRecord {
  version: number;
  text: string;
  entities: string | null;
  media: string | null;
  edit_date: number | null;
  recorded_at: number;
}

/** The message an event concerns, with the chat's name when known. */
export interface ConcernedMessage {
  message: MessageRecord;
  chatName: string | null;
  revisions: RevisionRecord[];
}

/** A line of the correlated events. */
export interface RelatedEvent {
  id: number;
  occurred_at: number;
  source: string;
  type: string;
  status: string;
  chat_id: number | null;
  message_id: number | null;
  path: string | null;
}

/** What the detail shows; null from `eventDetail` when there is no such event. */
export interface EventDetail {
  event: EventRecord;
  message: ConcernedMessage | null;
  /** The events sharing the correlation id (this one included), oldest first, at most RELATED_MAX. */
  related: RelatedEvent[];
  /** Whether there are more than RELATED_MAX. */
  relatedMore: boolean;
}

/** The event with row id `input.id`, and what it concerns; null when there is none. */
export function eventDetail(sqlite: Database.Database, input: { id: number }): EventDetail | null {
  const event = sqlite.prepare(`SELECT ${EVENT_COLUMNS.join(", ")} FROM events WHERE id = ?`).get(input.id) as
    | EventRecord
    | undefined;
  if (event === undefined) return null;
  return {
    event,
    message: concernedMessage(sqlite, event.chat_id, event.message_id),
    ...related(sqlite, event.correlation_id),
  };
}

function concernedMessage(
  sqlite: Database.Database,
  chatId: EventRecord["chat_id"],
  messageId: EventRecord["message_id"],
): ConcernedMessage | null {
  if (chatId === null || messageId === null) return null;
  const message = sqlite
    .prepare("SELECT * FROM messages WHERE chat_id = ? AND message_id = ?")
    .get(chatId, messageId) as MessageRecord | undefined;
  if (message === undefined) return null;
  const peer = sqlite.prepare("SELECT name FROM peers WHERE peer_id = ?").get(chatId) as
    | { name: string }
    | undefined;
  const revisions = sqlite
    .prepare(
      "SELECT version, text, entities, media, edit_date, recorded_at FROM message_revisions WHERE message_row_id = ? ORDER BY version",
    )
    .all(message.id) as RevisionRecord[];
  return { message, chatName: peer?.name ? peer.name : null, revisions };
}

function related(
  sqlite: Database.Database,
  correlationId: EventRecord["correlation_id"],
): Pick<EventDetail, "related" | "relatedMore"> {
  if (correlationId === null) return { related: [], relatedMore: false };
  const rows = sqlite
    .prepare(
      "SELECT id, occurred_at, source, type, status, chat_id, message_id, path FROM events WHERE correlation_id = ? ORDER BY occurred_at, id LIMIT ?",
    )
    .all(correlationId, RELATED_MAX + 1) as RelatedEvent[];
  return { related: rows.slice(0, RELATED_MAX), relatedMore: rows.length > RELATED_MAX };
}
