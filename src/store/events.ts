/**
 * The audit trail: every deletion, edit, failure and (later) file change is one `events` row.
 */

import type { Db } from "./db.ts";
import { and, asc, desc, eq, gt, inArray, max, sql } from "./orm.ts";
import { events } from "./schema.ts";

/** A stored event. */
export type EventRow = typeof events.$inferSelect;
/** Every source of an event (what `export --source` accepts). */
export const EVENT_SOURCES = ["telegram", "fs", "system"] as const;
/** The source of an event. */
export type EventSource = (typeof EVENT_SOURCES)[number];
/** Every way an event can end (what `export --status` accepts). */
export const EVENT_STATUSES = ["success", "error", "warning", "skipped", "pending"] as const;
/** How an event ended. */
export type EventStatus = (typeof EVENT_STATUSES)[number];

/** An event to record; `details` is serialized to JSON. */
export interface NewEvent {
  source: EventSource;
  type: string;
  status: EventStatus;
  occurredAt: number;
  chatId?: number | null;
  messageId?: number | null;
  path?: string | null;
  project?: string | null;
  username?: string | null;
  fileSize?: number | null;
  checksum?: string | null;
  details?: Record<string, unknown> | null;
  error?: string | null;
  durationMs?: number | null;
  correlationId?: string | null;
}

/**
 * What a counter may know of a written row: its source, type and status, all fixed sets in the code
 * (never a path, an id or a message, so a metric labelled with them stays small).
 */
export type EventKind = Pick<NewEvent, "source" | "type" | "status">;

/**
 * Told about every row `record` inserted, right after the insert. The row may be inside a
 * transaction that can still roll back: a counter of stored rows holds it until the commit.
 */
export type EventWritten = (e: EventKind) => void;

/** A recorded file change, as a digest needs it. */
export type FileChangeRow = Pick<EventRow, "id" | "type" | "path" | "occurredAt" | "details">;

/** The event types of a recorded file change (the CRM's `file_events` rows). */
export const FILE_CHANGE_TYPES = ["file.created", "file.modified", "file.deleted", "file.renamed"];

/**
 * Where a part records its events: the `events` table (`EventStore`), or, on a file agent, the
 * outbox its events travel from to the central recorder. Returns the recorded event's id.
 */
export interface EventSink {
  record(e: NewEvent, recordedAt: number): number;
}

/**
 * Writes and reads audit events. Every `events` row the service writes goes through `record`, so
 * `onWritten` sees them all (the store itself knows nothing of metrics: the wiring passes it).
 */
export class EventStore implements EventSink {
  readonly #db: Db;
  readonly #insert;
  readonly #onWritten: EventWritten | undefined;

  constructor(db: Db, onWritten?: EventWritten) {
    this.#db = db;
    this.#onWritten = onWritten;
    const p = (name: string) => sql.placeholder(name);
    this.#insert = db
      .insert(events)
      .values({
        occurredAt: p("occurredAt"),
        recordedAt: p("recordedAt"),
        source: p("source"),
        type: p("type"),
        status: p("status"),
        chatId: p("chatId"),
        messageId: p("messageId"),
        path: p("path"),
        project: p("project"),
        username: p("username"),
        fileSize: p("fileSize"),
        checksum: p("checksum"),
        details: p("details"),
        error: p("error"),
        durationMs: p("durationMs"),
        correlationId: p("correlationId"),
      })
      .returning({ id: events.id })
      .prepare();
  }

  /** Records one event and returns its id. */
  record(e: NewEvent, recordedAt: number): number {
    const id = this.#insert.get({
      occurredAt: e.occurredAt,
      recordedAt,
      source: e.source,
      type: e.type,
      status: e.status,
      chatId: e.chatId ?? null,
      messageId: e.messageId ?? null,
      path: e.path ?? null,
      project: e.project ?? null,
      username: e.username ?? null,
      fileSize: e.fileSize ?? null,
      checksum: e.checksum ?? null,
      details: e.details ? JSON.stringify(e.details) : null,
      error: e.error ?? null,
      durationMs: e.durationMs ?? null,
      correlationId: e.correlationId ?? null,
    })!.id;
    this.#onWritten?.({ source: e.source, type: e.type, status: e.status });
    return id;
  }

  /**
   * The recorded file changes (`file.created|modified|deleted|renamed`) of watched root `root` with
   * an id above `afterId`, oldest first: what a digest lost to a crash must still show.
   */
  fileChangesAfter(root: string, afterId: number): FileChangeRow[] {
    return this.#db
      .select({
        id: events.id,
        type: events.type,
        path: events.path,
        occurredAt: events.occurredAt,
        details: events.details,
      })
      .from(events)
      .where(
        and(
          inArray(events.type, FILE_CHANGE_TYPES),
          eq(events.status, "success"),
          gt(events.id, afterId),
          eq(events.source, "fs"),
          sql`json_extract(${events.details}, '$.root') = ${root}`,
        ),
      )
      .orderBy(asc(events.id))
      .all();
  }

  /** The highest event id so far (0 when there is none). */
  lastId(): number {
    return (
      this.#db
        .select({ id: max(events.id) })
        .from(events)
        .get()?.id ?? 0
    );
  }

  /** Events of one type (newest first), for reports and tests. */
  ofType(type: string, status?: EventStatus): EventRow[] {
    const where = status ? and(eq(events.type, type), eq(events.status, status)) : eq(events.type, type);
    return this.#db.select().from(events).where(where).orderBy(desc(events.id)).all();
  }
}
