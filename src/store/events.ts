/**
 * The audit trail: every deletion, edit, failure and (later) file change is one `events` row.
 */
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "./db.ts";
import { events } from "./schema.ts";

/** A stored event. */
export type EventRow = typeof events.$inferSelect;
/** The source of an event. */
export type EventSource = "telegram" | "fs" | "system";
/** How an event ended. */
export type EventStatus = "success" | "error" | "warning" | "skipped" | "pending";

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

/** Writes and reads audit events. */
export class EventStore {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Records one event and returns its id. */
  record(e: NewEvent, recordedAt: number): number {
    const row = this.#db
      .insert(events)
      .values({ ...e, details: e.details ? JSON.stringify(e.details) : null, recordedAt })
      .returning({ id: events.id })
      .get();
    return row.id;
  }

  /** Events of one type (newest first), for reports and tests. */
  ofType(type: string, status?: EventStatus): EventRow[] {
    const where = status ? and(eq(events.type, type), eq(events.status, status)) : eq(events.type, type);
    return this.#db.select().from(events).where(where).orderBy(desc(events.id)).all();
  }
}
